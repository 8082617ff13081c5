// Writes signed raw-transaction test vectors (one per transaction type) for the Java decoder in
// relay/ (io.disjoint.relay.eth). Keys are fixed, so the output is deterministic; regenerate only
// on purpose:  node tools/tx-vectors.mjs > ../../relay/src/test/resources/eth/raw-transactions.json
import { Wallet, Transaction } from 'ethers';

const key = '0x4c0883a69102937d6231471b5dbb6204fe512961708279f23efb3d6f8b8c7b8a';
const wallet = new Wallet(key);
const other = new Wallet('0x' + '11'.repeat(32));
const to = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const data = '0xa9059cbb' + '00'.repeat(12) + '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' + '00'.repeat(31) + '2a';
const accessList = [{ address: to, storageKeys: ['0x' + '00'.repeat(31) + '01'] }];

const auth = await other.authorize({ address: to, nonce: 3, chainId: 31337n });

const cases = [
  { name: 'legacy, pre-EIP-155 (no chain id)', tx: { type: 0, nonce: 0, gasPrice: 20_000_000_000n, gasLimit: 21000n, to, value: 10n ** 18n } },
  { name: 'legacy, EIP-155 chain 1', tx: { type: 0, chainId: 1n, nonce: 9, gasPrice: 20_000_000_000n, gasLimit: 21000n, to, value: 10n ** 18n } },
  { name: 'legacy, EIP-155 chain 31337, contract creation', tx: { type: 0, chainId: 31337n, nonce: 1, gasPrice: 1n, gasLimit: 500000n, to: null, value: 0n, data: '0x6080604052' } },
  { name: 'EIP-2930 access list', tx: { type: 1, chainId: 31337n, nonce: 2, gasPrice: 1_000_000_000n, gasLimit: 60000n, to, value: 0n, data, accessList } },
  { name: 'EIP-1559', tx: { type: 2, chainId: 1n, nonce: 300, maxPriorityFeePerGas: 1_500_000_000n, maxFeePerGas: 30_000_000_000n, gasLimit: 65000n, to, value: 123456789n, data } },
  { name: 'EIP-1559 contract creation', tx: { type: 2, chainId: 31337n, nonce: 0, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gasLimit: 900000n, to: null, value: 0n, data: '0x6080604052' } },
  { name: 'EIP-7702 set code', tx: { type: 4, chainId: 31337n, nonce: 5, maxPriorityFeePerGas: 1n, maxFeePerGas: 3_000_000_000n, gasLimit: 100000n, to, value: 0n, data: '0x', authorizationList: [auth] } },
];

const out = [];
for (const c of cases) {
  const raw = await wallet.signTransaction(c.tx);
  const parsed = Transaction.from(raw);
  out.push({
    name: c.name,
    raw,
    hash: parsed.hash,
    type: parsed.type,
    chainId: parsed.chainId.toString(),
    nonce: parsed.nonce,
    from: parsed.from.toLowerCase(),
    to: parsed.to ? parsed.to.toLowerCase() : null,
    value: parsed.value.toString(),
    gasLimit: parsed.gasLimit.toString(),
    dataLength: (parsed.data.length - 2) / 2,
    authorities: (parsed.authorizationList || []).map(() => other.address.toLowerCase()),
  });
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
