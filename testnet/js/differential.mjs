// Differential check: the same JSON-RPC requests to two URLs (a Disjoint gateway and the anvil
// behind it) must get the same answers, ids aside.
//
//   node differential.mjs --a http://127.0.0.1:GW/eip155:31337 --b http://127.0.0.1:8545
//        [--count 200] [--seed 1] [--no-setup] [--loose-errors]
//
// Setup (unless --no-setup) sends a few transactions through --b (deploy of contracts/Store.json,
// set() calls, transfers) so there are blocks, receipts, logs and storage to read. The chain must
// not move while the requests run: both URLs are asked one after the other and 'latest' must mean
// the same block. Each request's id is echoed back exactly or that is a mismatch too.
// --loose-errors compares only error codes, not messages. Prints one JSON line per mismatch and a
// summary line; exits 1 on any mismatch, 2 on bad usage or a failed setup.
import { createPublicClient, createWalletClient, defineChain, encodeEventTopics, encodeFunctionData, http, parseEther, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { ANVIL_MNEMONIC, loadStoreArtifact } from './dapp-common.mjs'

function parseArgs (argv) {
  const opts = { a: null, b: null, count: 200, seed: 1, setup: true, looseErrors: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--no-setup') { opts.setup = false; continue }
    if (flag === '--loose-errors') { opts.looseErrors = true; continue }
    const value = argv[++i]
    if (value === undefined) usage(`missing value for ${flag}`)
    if (flag === '--a') opts.a = value
    else if (flag === '--b') opts.b = value
    else if (flag === '--count') opts.count = Number.parseInt(value, 10)
    else if (flag === '--seed') opts.seed = Number.parseInt(value, 10)
    else usage(`unknown flag ${flag}`)
  }
  if (!opts.a || !opts.b) usage('--a and --b are required')
  if (!(opts.count > 0)) usage('--count must be positive')
  return opts
}

function usage (msg) {
  process.stderr.write(`${msg}\nusage: node differential.mjs --a URL --b URL [--count 200] [--seed 1] [--no-setup] [--loose-errors]\n`)
  process.exit(2)
}

/** Small seeded PRNG (mulberry32) so a run can be repeated exactly with --seed. */
function rng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function rpc (url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = { unparsable: text.slice(0, 200) }
  }
  return { status: res.status, json }
}

async function setupChain (url, store) {
  const pub = createPublicClient({ transport: http(url, { retryCount: 0 }), pollingInterval: 50 })
  const id = await pub.getChainId()
  const chain = defineChain({ id, name: 'differential', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [url] } } })
  const accounts = [0, 1, 2, 3].map((i) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }))
  const wallet = (account) => createWalletClient({ account, chain, transport: http(url, { retryCount: 0 }) })
  const wait = (hash) => pub.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  const deploy = await wait(await wallet(accounts[0]).deployContract({ abi: store.abi, bytecode: store.bytecode, args: [11n] }))
  for (const [i, v] of [[0, 12n], [1, 13n], [2, 14n]]) {
    await wait(await wallet(accounts[i]).writeContract({ address: deploy.contractAddress, abi: store.abi, functionName: 'set', args: [v] }))
  }
  await wait(await wallet(accounts[1]).sendTransaction({ to: accounts[2].address, value: parseEther('2') }))
  await wait(await wallet(accounts[3]).sendTransaction({ to: accounts[0].address, value: parseEther('0.5') }))
}

/** What the chain holds now: blocks, transactions, contracts, accounts. Read through --b. */
async function discover (url) {
  const call = async (method, params) => {
    const { json } = await rpc(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
    if (json.error) throw new Error(`${method}: ${json.error.message}`)
    return json.result
  }
  const latest = Number.parseInt(await call('eth_blockNumber', []), 16)
  const blocks = []
  const txs = []
  const contracts = new Set()
  for (let n = Math.max(0, latest - 50); n <= latest; n++) {
    const block = await call('eth_getBlockByNumber', [toHex(n), true])
    blocks.push({ number: n, hash: block.hash, txCount: block.transactions.length })
    for (const tx of block.transactions) {
      txs.push(tx.hash)
      if (tx.to === null) {
        const receipt = await call('eth_getTransactionReceipt', [tx.hash])
        if (receipt.contractAddress) contracts.add(receipt.contractAddress)
      }
    }
  }
  if (contracts.size === 0) throw new Error('no contract deployed in the last 50 blocks; run without --no-setup')
  const accounts = [0, 1, 2, 3, 9].map((i) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }).address)
  accounts.push('0x000000000000000000000000000000000000dEaD')
  return { latest, blocks, txs, contracts: [...contracts], accounts }
}

function buildRequests (state, store, count, random) {
  const pick = (arr) => arr[Math.floor(random() * arr.length)]
  const blockTag = () => pick(['latest', 'earliest', 'safe', 'finalized', toHex(pick(state.blocks).number), toHex(state.latest)])
  const contract = () => pick(state.contracts)
  const data = (fn, args = []) => encodeFunctionData({ abi: store.abi, functionName: fn, args })
  const valueSetTopics = encodeEventTopics({ abi: store.abi, eventName: 'ValueSet' })
  const from = () => pick(state.accounts.slice(0, 4))
  const makers = [
    () => ['eth_blockNumber', []],
    () => ['eth_chainId', []],
    () => ['net_version', []],
    () => ['eth_gasPrice', []],
    () => ['eth_maxPriorityFeePerGas', []],
    () => ['eth_feeHistory', [toHex(1 + Math.floor(random() * 5)), pick(['latest', toHex(state.latest)]), [10, 50, 90]]],
    () => ['eth_syncing', []],
    () => ['eth_getBalance', [pick(state.accounts), blockTag()]],
    () => ['eth_getTransactionCount', [pick(state.accounts), blockTag()]],
    () => ['eth_getBlockByNumber', [toHex(pick(state.blocks).number), random() < 0.5]],
    () => ['eth_getBlockByNumber', [pick(['latest', 'earliest']), random() < 0.5]],
    () => ['eth_getBlockByHash', [pick(state.blocks).hash, random() < 0.5]],
    () => ['eth_getBlockTransactionCountByNumber', [toHex(pick(state.blocks).number)]],
    () => ['eth_getTransactionByHash', [pick(state.txs)]],
    () => ['eth_getTransactionReceipt', [pick(state.txs)]],
    () => ['eth_getTransactionByBlockNumberAndIndex', [toHex(pick(state.blocks.filter((b) => b.txCount > 0)).number), '0x0']],
    () => ['eth_call', [{ to: contract(), data: data(pick(['get', 'value', 'lastWriter'])) }, blockTag()]],
    () => ['eth_call', [{ from: from(), to: contract(), data: data('fail') }, 'latest']],
    () => ['eth_estimateGas', [{ from: from(), to: contract(), data: data('set', [BigInt(Math.floor(random() * 1000))]) }]],
    () => ['eth_estimateGas', [{ from: from(), to: pick(state.accounts), value: toHex(1000 + Math.floor(random() * 1e6)) }]],
    () => ['eth_getCode', [pick([contract(), pick(state.accounts)]), blockTag()]],
    () => ['eth_getStorageAt', [contract(), toHex(Math.floor(random() * 3)), blockTag()]],
    () => {
      const a = pick(state.blocks).number
      const b = pick(state.blocks).number
      return ['eth_getLogs', [{ fromBlock: toHex(Math.min(a, b)), toBlock: toHex(Math.max(a, b)), address: random() < 0.7 ? contract() : undefined }]]
    },
    () => ['eth_getLogs', [{ fromBlock: 'earliest', toBlock: 'latest', address: contract() }]],
    () => ['eth_getLogs', [{ blockHash: pick(state.blocks).hash }]],
    () => ['eth_getLogs', [{ fromBlock: 'earliest', toBlock: 'latest', topics: valueSetTopics }]],
    // invalid requests: the error must match too
    () => ['eth_getBalance', ['0x1234', 'latest']],
    () => ['eth_getBalance', []],
    () => ['eth_getBlockByNumber', ['latest', 'yes']],
    () => ['eth_getBlockByNumber', ['0xnothex', false]],
    () => ['eth_getTransactionReceipt', ['0x' + '00'.repeat(32)]],
    () => ['eth_getTransactionByHash', ['0xdeadbeef']],
    () => ['eth_call', [{ to: contract(), data: '0xdeadbeef' }, 'latest']],
    () => ['eth_noSuchMethod', []],
    () => ['eth_getLogs', [{ fromBlock: toHex(state.latest), toBlock: '0x0' }]]
  ]
  const requests = []
  let nextId = 1
  const single = () => {
    const [method, params] = pick(makers)()
    const idKind = random()
    const id = idKind < 0.7 ? nextId++ : idKind < 0.9 ? `req-${nextId++}` : `0x${(nextId++).toString(16)}`
    return { jsonrpc: '2.0', id, method, params: JSON.parse(JSON.stringify(params)) }
  }
  while (requests.length < count) {
    if (random() < 0.12) {
      const size = 2 + Math.floor(random() * 4)
      requests.push(Array.from({ length: size }, single))
    } else {
      requests.push(single())
    }
  }
  return requests
}

function stripId (response) {
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return response
  const { id, ...rest } = response
  return rest
}

function canonical (value, looseErrors) {
  if (Array.isArray(value)) return value.map((v) => canonical(v, looseErrors))
  if (value !== null && typeof value === 'object') {
    const out = {}
    for (const key of Object.keys(value).sort()) {
      if (looseErrors && key === 'error' && value.error && typeof value.error === 'object') out.error = { code: value.error.code }
      else out[key] = canonical(value[key], looseErrors)
    }
    return out
  }
  return value
}

/** Compares one exchange; returns a list of human-readable differences (empty when equal). */
function compare (request, a, b, looseErrors) {
  const problems = []
  const ids = Array.isArray(request) ? request.map((r) => r.id) : [request.id]
  const byId = (json) => {
    const list = Array.isArray(json) ? json : [json]
    return new Map(list.map((r) => [JSON.stringify(r?.id), r]))
  }
  if (Array.isArray(request) !== Array.isArray(a.json)) problems.push(`a answered a ${Array.isArray(request) ? 'batch' : 'single request'} with ${Array.isArray(a.json) ? 'an array' : 'an object'}`)
  if (Array.isArray(request) !== Array.isArray(b.json)) problems.push(`b answered a ${Array.isArray(request) ? 'batch' : 'single request'} with ${Array.isArray(b.json) ? 'an array' : 'an object'}`)
  const am = byId(a.json)
  const bm = byId(b.json)
  for (const id of ids) {
    const key = JSON.stringify(id)
    const ra = am.get(key)
    const rb = bm.get(key)
    if (ra === undefined) problems.push(`a did not echo id ${key}`)
    if (rb === undefined) problems.push(`b did not echo id ${key}`)
    if (ra === undefined || rb === undefined) continue
    const ca = JSON.stringify(canonical(stripId(ra), looseErrors))
    const cb = JSON.stringify(canonical(stripId(rb), looseErrors))
    if (ca !== cb) problems.push(`id ${key}: a=${ca.slice(0, 300)} b=${cb.slice(0, 300)}`)
  }
  if (am.size !== ids.length) problems.push(`a returned ${am.size} responses for ${ids.length} requests`)
  return problems
}

const opts = parseArgs(process.argv.slice(2))
const store = loadStoreArtifact()
let state
try {
  if (opts.setup) await setupChain(opts.b, store)
  state = await discover(opts.b)
} catch (err) {
  process.stderr.write(`differential: setup failed against ${opts.b}: ${err.message}\n`)
  process.exit(2)
}
const requests = buildRequests(state, store, opts.count, rng(opts.seed))
const methods = new Map()
let mismatches = 0
let errorsCompared = 0
for (const request of requests) {
  const body = JSON.stringify(request)
  for (const r of Array.isArray(request) ? request : [request]) methods.set(r.method, (methods.get(r.method) ?? 0) + 1)
  let a, b
  try {
    a = await rpc(opts.a, body)
    b = await rpc(opts.b, body)
  } catch (err) {
    mismatches++
    process.stdout.write(JSON.stringify({ mismatch: true, request, problems: [`transport error: ${err.message}`] }) + '\n')
    continue
  }
  for (const r of Array.isArray(b.json) ? b.json : [b.json]) if (r?.error) errorsCompared++
  const problems = compare(request, a, b, opts.looseErrors)
  if (problems.length > 0) {
    mismatches++
    process.stdout.write(JSON.stringify({ mismatch: true, request, statusA: a.status, statusB: b.status, problems }) + '\n')
  }
}
const latestAfter = (await rpc(opts.b, '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}')).json.result
const moved = Number.parseInt(latestAfter, 16) !== state.latest
process.stdout.write(JSON.stringify({
  summary: true,
  ok: mismatches === 0 && !moved,
  requests: requests.length,
  batches: requests.filter(Array.isArray).length,
  mismatches,
  errorResponsesCompared: errorsCompared,
  methods: Object.fromEntries([...methods].sort()),
  chainMovedDuringRun: moved
}) + '\n')
process.exit(mismatches === 0 && !moved ? 0 : 1)
