// A dApp using ethers v6 against one RPC URL (a Disjoint gateway or anvil itself).
//   node dapp-ethers.mjs --http http://127.0.0.1:8545 --ws ws://127.0.0.1:8545
// One JSON line per step; exit code 1 if any step failed. Needs anvil's default dev accounts.
import { ContractFactory, Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, WebSocketProvider, parseEther } from 'ethers'
import { ANVIL_MNEMONIC, StepRunner, check, loadStoreArtifact, parseDappArgs } from './dapp-common.mjs'

const opts = parseDappArgs(process.argv.slice(2), 'node dapp-ethers.mjs --http URL --ws WSURL')
const store = loadStoreArtifact()
const run = new StepRunner('ethers', opts.stepTimeoutMs)
const mnemonic = Mnemonic.fromPhrase(ANVIL_MNEMONIC)
const devAccount = (index) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${index}`)

const provider = new JsonRpcProvider(opts.http, undefined, { batchMaxCount: 1, cacheTimeout: -1 })
provider.pollingInterval = 100
const deployer = devAccount(0).connect(provider)
const sender = devAccount(1).connect(provider)
const recipient = devAccount(2)

await run.step('chainId', [], async () => {
  const network = await provider.getNetwork()
  check(network.chainId > 0n, `bad chain id ${network.chainId}`)
  return { chainId: network.chainId }
})

await run.step('blockNumber', [], async () => {
  const blockNumber = await provider.getBlockNumber()
  check(Number.isInteger(blockNumber) && blockNumber >= 0, `bad block number ${blockNumber}`)
  return { blockNumber }
})

await run.step('getBalance', [], async () => {
  const balance = await provider.getBalance(deployer.address)
  check(balance > parseEther('1'), `dev account ${deployer.address} has only ${balance} wei`)
  return { address: deployer.address, balance }
})

await run.step('getBlock', ['blockNumber'], async () => {
  const block = await provider.getBlock('latest')
  check(/^0x[0-9a-f]{64}$/.test(block.hash), `bad block hash ${block.hash}`)
  check(block.number >= run.results.get('blockNumber').blockNumber, 'latest block is behind blockNumber')
  const byNumber = await provider.getBlock(block.number)
  check(byNumber.hash === block.hash, 'block by number differs from latest')
  return { number: block.number, hash: block.hash, transactions: block.transactions.length }
})

let contract
let deployBlock
await run.step('deploy', ['chainId'], async () => {
  const factory = new ContractFactory(store.abi, store.bytecode, deployer)
  const deployed = await factory.deploy(7n)
  const receipt = await deployed.deploymentTransaction().wait()
  check(receipt.status === 1, 'deploy reverted')
  contract = new Contract(await deployed.getAddress(), store.abi, deployer)
  deployBlock = receipt.blockNumber
  const code = await provider.getCode(await contract.getAddress())
  check(code === store.deployedBytecode, 'deployed code differs from the artifact')
  return { hash: receipt.hash, address: await contract.getAddress(), block: receipt.blockNumber, gasUsed: receipt.gasUsed }
})

await run.step('call', ['deploy'], async () => {
  const before = await contract.get()
  check(before === 7n, `constructor value read back as ${before}`)
  const tx = await contract.set(42n)
  const receipt = await tx.wait()
  check(receipt.status === 1 && receipt.logs.length === 1, 'set did not emit exactly one log')
  const after = await contract.value()
  check(after === 42n, `value after set is ${after}`)
  let reverted = false
  try {
    await contract.fail.staticCall()
  } catch (err) {
    reverted = err?.code === 'CALL_EXCEPTION' && /always fails/.test(String(err?.reason ?? err?.message))
  }
  check(reverted, 'fail() did not revert with its reason')
  return { hash: receipt.hash, before, after, revertReasonSeen: reverted }
})

await run.step('transfer', ['chainId'], async () => {
  const value = parseEther('0.75')
  const tx = await sender.sendTransaction({ to: recipient.address, value })
  const receipt = await tx.wait()
  check(receipt.status === 1, 'transfer failed')
  const before = await provider.getBalance(recipient.address, receipt.blockNumber - 1)
  const after = await provider.getBalance(recipient.address, receipt.blockNumber)
  check(after - before === value, `recipient balance moved by ${after - before}, expected ${value}`)
  const fetched = await provider.getTransaction(receipt.hash)
  check(fetched.from === sender.address && fetched.value === value, 'transaction fields differ')
  return { hash: receipt.hash, from: sender.address, to: recipient.address, value, block: receipt.blockNumber }
})

await run.step('getLogs', ['call'], async () => {
  const logs = await contract.queryFilter(contract.filters.ValueSet(), deployBlock, 'latest')
  check(logs.length === 1, `expected 1 ValueSet log, got ${logs.length}`)
  const [writer, previous, value] = logs[0].args
  check(writer === deployer.address && previous === 7n && value === 42n, 'log args differ')
  const raw = await provider.getLogs({ address: await contract.getAddress(), fromBlock: deployBlock, toBlock: 'latest' })
  check(raw.length === 1 && raw[0].transactionHash === logs[0].transactionHash, 'raw getLogs differs from queryFilter')
  return { logs: logs.length, block: logs[0].blockNumber }
})

await run.step('filter', ['deploy'], async () => {
  // explicit eth_newFilter / eth_getFilterChanges: ethers itself polls with eth_getLogs
  const topic = contract.interface.getEvent('ValueSet').topicHash
  const filterId = await provider.send('eth_newFilter', [{ address: await contract.getAddress(), topics: [topic] }])
  const blockFilterId = await provider.send('eth_newBlockFilter', [])
  const receipt = await (await contract.set(43n)).wait()
  const changes = await provider.send('eth_getFilterChanges', [filterId])
  check(changes.length === 1 && changes[0].transactionHash === receipt.hash, `expected our set(43) as the one change, got ${changes.length}`)
  const decoded = contract.interface.parseLog(changes[0])
  check(decoded.args.value === 43n, `filter change carries value ${decoded.args.value}`)
  const blocks = await provider.send('eth_getFilterChanges', [blockFilterId])
  check(blocks.includes(receipt.blockHash), 'block filter missed the block of set(43)')
  check((await provider.send('eth_getFilterChanges', [filterId])).length === 0, 'filter returned the change twice')
  check(await provider.send('eth_uninstallFilter', [filterId]) === true, 'uninstall returned false')
  check(await provider.send('eth_uninstallFilter', [blockFilterId]) === true, 'uninstall block filter returned false')
  return { filterId, changes: changes.length, blockFilterBlocks: blocks.length }
})

await run.step('newHeads', ['chainId'], async () => {
  const ws = new WebSocketProvider(opts.ws)
  const heads = []
  try {
    const seen = new Promise((resolve) => {
      ws.on('block', (n) => {
        heads.push(n)
        if (heads.length >= 2) resolve()
      })
    })
    // the subscription is live once eth_subscribe has answered; ethers has no hook for that, so
    // keep making blocks (anvil mines per transaction) until two heads have arrived
    const mined = []
    for (let i = 0; i < 20 && heads.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      const receipt = await (await sender.sendTransaction({ to: recipient.address, value: 1n })).wait()
      mined.push(receipt.blockNumber)
    }
    await seen
    check(heads[1] > heads[0], `heads not increasing: ${heads}`)
    return { heads, mined }
  } finally {
    await ws.destroy()
  }
})

provider.destroy()
process.exit(run.finish())
