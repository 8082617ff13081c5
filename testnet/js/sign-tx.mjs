// Prints one signed EIP-1559 value transfer from anvil's first dev account (offline signing, so a
// test can send the raw bytes through whatever endpoint it is checking).
// Usage: node sign-tx.mjs --to 0xADDR --nonce N [--chain-id 31337] [--value WEI]
import { Wallet } from 'ethers';

const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  if (i < 0 || i + 1 >= process.argv.length) {
    if (fallback === undefined) {
      console.error(`sign-tx: --${name} is required`);
      process.exit(2);
    }
    return fallback;
  }
  return process.argv[i + 1];
}

const raw = await new Wallet(DEV_KEY).signTransaction({
  type: 2,
  chainId: BigInt(arg('chain-id', '31337')),
  nonce: Number(arg('nonce')),
  to: arg('to'),
  value: BigInt(arg('value', '1000')),
  gasLimit: 21000n,
  maxPriorityFeePerGas: 1_000_000_000n,
  maxFeePerGas: 20_000_000_000n,
});
process.stdout.write(raw + '\n');
