// A dApp using viem against one RPC URL (a Disjoint gateway or anvil itself).
//   node dapp-viem.mjs --http http://127.0.0.1:8545 --ws ws://127.0.0.1:8545
// One JSON line per step; exit code 1 if any step failed. Needs anvil's default dev accounts.
import { createPublicClient, createWalletClient, defineChain, http, parseEther, webSocket } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { ANVIL_MNEMONIC, StepRunner, check, loadStoreArtifact, parseDappArgs } from './dapp-common.mjs'

const opts = parseDappArgs(process.argv.slice(2), 'node dapp-viem.mjs --http URL --ws WSURL')
const store = loadStoreArtifact()
const run = new StepRunner('viem', opts.stepTimeoutMs)
const deployer = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 })
const sender = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 })
const recipient = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 2 })
const POLL_MS = 100

const pub = createPublicClient({ transport: http(opts.http, { retryCount: 0 }), pollingInterval: POLL_MS })
let chain
let wallet

await run.step('chainId', [], async () => {
  const chainId = await pub.getChainId()
  check(Number.isInteger(chainId) && chainId > 0, `bad chain id ${chainId}`)
  chain = defineChain({
    id: chainId,
    name: 'disjoint-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.http], webSocket: [opts.ws] } }
  })
  wallet = (account) => createWalletClient({ account, chain, transport: http(opts.http, { retryCount: 0 }), pollingInterval: POLL_MS })
  return { chainId }
})

await run.step('blockNumber', [], async () => {
  const blockNumber = await pub.getBlockNumber()
  check(blockNumber >= 0n, 'negative block number')
  return { blockNumber }
})

await run.step('getBalance', [], async () => {
  const balance = await pub.getBalance({ address: deployer.address })
  check(balance > parseEther('1'), `dev account ${deployer.address} has only ${balance} wei`)
  return { address: deployer.address, balance }
})

await run.step('getBlock', ['blockNumber'], async () => {
  const block = await pub.getBlock({ blockTag: 'latest' })
  check(/^0x[0-9a-f]{64}$/.test(block.hash), `bad block hash ${block.hash}`)
  check(block.number >= run.results.get('blockNumber').blockNumber, 'latest block is behind blockNumber')
  const byNumber = await pub.getBlock({ blockNumber: block.number })
  check(byNumber.hash === block.hash, 'block by number differs from latest')
  return { number: block.number, hash: block.hash, transactions: block.transactions.length }
})

let storeAddress
let deployBlock
await run.step('deploy', ['chainId'], async () => {
  const hash = await wallet(deployer).deployContract({ abi: store.abi, bytecode: store.bytecode, args: [7n] })
  const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: POLL_MS })
  check(receipt.status === 'success', `deploy reverted in ${hash}`)
  storeAddress = receipt.contractAddress
  deployBlock = receipt.blockNumber
  const code = await pub.getCode({ address: storeAddress })
  check(code === store.deployedBytecode, 'deployed code differs from the artifact')
  return { hash, address: storeAddress, block: receipt.blockNumber, gasUsed: receipt.gasUsed }
})

await run.step('call', ['deploy'], async () => {
  const before = await pub.readContract({ address: storeAddress, abi: store.abi, functionName: 'get' })
  check(before === 7n, `constructor value read back as ${before}`)
  const hash = await wallet(deployer).writeContract({ address: storeAddress, abi: store.abi, functionName: 'set', args: [42n] })
  const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: POLL_MS })
  check(receipt.status === 'success', `set reverted in ${hash}`)
  check(receipt.logs.length === 1, `expected 1 log, got ${receipt.logs.length}`)
  const after = await pub.readContract({ address: storeAddress, abi: store.abi, functionName: 'get' })
  check(after === 42n, `value after set is ${after}`)
  let reverted = false
  try {
    await pub.simulateContract({ address: storeAddress, abi: store.abi, functionName: 'fail', account: deployer })
  } catch (err) {
    reverted = /always fails/.test(String(err?.message))
  }
  check(reverted, 'fail() did not revert with its reason')
  return { hash, before, after, revertReasonSeen: reverted }
})

await run.step('transfer', ['chainId'], async () => {
  const value = parseEther('1.25')
  const hash = await wallet(sender).sendTransaction({ to: recipient.address, value })
  const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: POLL_MS })
  check(receipt.status === 'success', `transfer failed in ${hash}`)
  const before = await pub.getBalance({ address: recipient.address, blockNumber: receipt.blockNumber - 1n })
  const after = await pub.getBalance({ address: recipient.address, blockNumber: receipt.blockNumber })
  check(after - before === value, `recipient balance moved by ${after - before}, expected ${value}`)
  const tx = await pub.getTransaction({ hash })
  check(tx.from.toLowerCase() === sender.address.toLowerCase() && tx.value === value, 'transaction fields differ')
  return { hash, from: sender.address, to: recipient.address, value, block: receipt.blockNumber }
})

await run.step('getLogs', ['call'], async () => {
  const logs = await pub.getContractEvents({ address: storeAddress, abi: store.abi, eventName: 'ValueSet', fromBlock: deployBlock, toBlock: 'latest' })
  check(logs.length === 1, `expected 1 ValueSet log, got ${logs.length}`)
  const { writer, previous, value } = logs[0].args
  check(writer.toLowerCase() === deployer.address.toLowerCase() && previous === 7n && value === 42n, 'log args differ')
  return { logs: logs.length, block: logs[0].blockNumber }
})

await run.step('filter', ['deploy'], async () => {
  const filter = await pub.createContractEventFilter({ address: storeAddress, abi: store.abi, eventName: 'ValueSet' })
  const hash = await wallet(deployer).writeContract({ address: storeAddress, abi: store.abi, functionName: 'set', args: [43n] })
  await pub.waitForTransactionReceipt({ hash, pollingInterval: POLL_MS })
  const changes = await pub.getFilterChanges({ filter })
  check(changes.length === 1, `expected 1 filter change, got ${changes.length}`)
  check(changes[0].args.value === 43n && changes[0].transactionHash === hash, 'filter change is not our set(43)')
  const again = await pub.getFilterChanges({ filter })
  check(again.length === 0, `filter returned ${again.length} changes twice`)
  const removed = await pub.uninstallFilter({ filter })
  check(removed === true, 'uninstallFilter returned false')
  return { filterId: filter.id, changes: changes.length }
})

await run.step('newHeads', ['chainId'], async () => {
  const ws = createPublicClient({ transport: webSocket(opts.ws, { retryCount: 0 }) })
  const heads = []
  let unwatch
  let subscriptionError = null
  try {
    let headsSeen
    const seen = new Promise((resolve) => { headsSeen = resolve })
    unwatch = ws.watchBlocks({
      emitOnBegin: false,
      onBlock: (block) => {
        heads.push(block.number)
        if (heads.length >= 2) headsSeen()
      },
      onError: (err) => {
        subscriptionError = err
        headsSeen()
      }
    })
    // anvil mines one block per transaction: make blocks until two heads have arrived
    const mined = []
    for (let i = 0; i < 10 && heads.length < 2 && subscriptionError === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      const hash = await wallet(sender).sendTransaction({ to: recipient.address, value: 1n })
      mined.push((await pub.waitForTransactionReceipt({ hash, pollingInterval: POLL_MS })).blockNumber)
    }
    await seen
    if (subscriptionError !== null) throw subscriptionError
    check(heads[1] > heads[0], `heads not increasing: ${heads}`)
    return { heads, mined }
  } finally {
    unwatch?.()
    await ws.transport.getRpcClient?.().then((c) => c.close()).catch(() => {})
  }
})

process.exit(run.finish())
