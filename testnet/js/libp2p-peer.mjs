// js-libp2p 3.x interop peer for the Java host's tests.
//
//   node --import ./polyfill.mjs libp2p-peer.mjs listen [options]
//   node --import ./polyfill.mjs libp2p-peer.mjs dial <multiaddr/p2p/ID> [options]
//
// Options: --port N (listen port, default 0), --ping-interval MS (connection monitor and the
// reported ping loop, default 10000 like js-libp2p; 0 disables both), --echo TEXT (dial mode: the
// first echo payload, default "hello from js"), --key-type Ed25519|secp256k1 (identity key).
//
// Every line on stdout is one JSON object with an "event" field. Logs go to stderr.
// Commands arrive as JSON lines on stdin; each is answered with {"event":"result","id":...}:
//   {"id":1,"cmd":"ping","peer":"<peer id or multiaddr>"}           -> rtt
//   {"id":2,"cmd":"echo","peer":"...","data":"text"}                -> reply text, match
//   {"id":3,"cmd":"echo","peer":"...","size":65536}                 -> random bytes, match
//   {"id":4,"cmd":"dial","addr":"<multiaddr>"}                      -> peerId
//   {"id":5,"cmd":"peer","peer":"<peer id>"}                        -> peer store protocols, agent
//   {"id":6,"cmd":"connections"}                                     -> open connections
//   {"id":7,"cmd":"hangup","peer":"<peer id>"}
//   {"id":9,"cmd":"handle","protocol":"/x/1.0.0"}  (echo handler; announced by Identify Push)
//   {"id":10,"cmd":"unhandle","protocol":"/x/1.0.0"}
//   {"id":8,"cmd":"quit"}
// End of stdin also stops the node, so a dead parent never leaves this process behind.
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { bytesEqual, callEcho, createNode, serveEcho } from './libp2p-common.mjs'

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function parseArgs (argv) {
  const opts = { mode: argv[0], target: null, port: 0, pingIntervalMs: 10_000, echo: 'hello from js', keyType: 'Ed25519' }
  let i = 1
  if (opts.mode === 'dial') opts.target = argv[i++]
  for (; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[++i]
    if (value === undefined) throw new Error(`missing value for ${flag}`)
    if (flag === '--port') opts.port = Number.parseInt(value, 10)
    else if (flag === '--ping-interval') opts.pingIntervalMs = Number.parseInt(value, 10)
    else if (flag === '--echo') opts.echo = value
    else if (flag === '--key-type') opts.keyType = value
    else throw new Error(`unknown flag ${flag}`)
  }
  if (opts.mode !== 'listen' && opts.mode !== 'dial') throw new Error('usage: libp2p-peer.mjs listen|dial <multiaddr> [--port N] [--ping-interval MS] [--echo TEXT]')
  if (opts.mode === 'dial' && !opts.target) throw new Error('dial needs a multiaddr')
  if (opts.keyType !== 'Ed25519' && opts.keyType !== 'secp256k1') throw new Error('--key-type must be Ed25519 or secp256k1')
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be 0..65535')
  if (!Number.isInteger(opts.pingIntervalMs) || opts.pingIntervalMs < 0) throw new Error('--ping-interval must be >= 0')
  return opts
}

/** A command's peer may be a bare peer id or a multiaddr (with /p2p/ for dialling new peers). */
function toTarget (peer) {
  if (typeof peer !== 'string' || peer.length === 0) throw new Error('command needs "peer"')
  return peer.startsWith('/') ? multiaddr(peer) : peerIdFromString(peer)
}

function describeError (err) {
  return { error: String(err?.message ?? err), errorName: err?.name ?? 'Error' }
}

const opts = parseArgs(process.argv.slice(2))
const node = await createNode({
  listen: [`/ip4/127.0.0.1/tcp/${opts.port}`],
  pingIntervalMs: opts.pingIntervalMs,
  keyType: opts.keyType,
  onEcho: (info) => emit({ event: 'echo-served', ...info })
})

node.addEventListener('connection:open', (evt) => {
  const c = evt.detail
  emit({ event: 'connected', peerId: c.remotePeer.toString(), remoteAddr: c.remoteAddr.toString(), direction: c.direction, encryption: c.encryption, multiplexer: c.multiplexer })
})
node.addEventListener('connection:close', (evt) => {
  const c = evt.detail
  emit({ event: 'disconnected', peerId: c.remotePeer.toString(), remoteAddr: c.remoteAddr.toString(), direction: c.direction })
})
node.addEventListener('peer:identify', (evt) => {
  const r = evt.detail
  emit({
    event: 'identify',
    peerId: r.peerId.toString(),
    protocols: [...r.protocols].sort(),
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    listenAddrs: r.listenAddrs.map((a) => a.toString()),
    observedAddr: r.observedAddr?.toString() ?? null,
    signedPeerRecord: r.signedPeerRecord != null
  })
})

let stopping = false
const pingLoops = new Map()

/** Reported pings alongside the connection monitor's own, so a test can count them. */
function startPingLoop (peerId) {
  if (opts.pingIntervalMs === 0 || pingLoops.has(peerId)) return
  const timer = setInterval(async () => {
    const conns = node.getConnections().filter((c) => c.remotePeer.toString() === peerId)
    if (conns.length === 0) {
      clearInterval(timer)
      pingLoops.delete(peerId)
      return
    }
    try {
      const rtt = await node.services.ping.ping(peerIdFromString(peerId), { signal: AbortSignal.timeout(5_000) })
      emit({ event: 'ping', peerId, rtt, source: 'interval', connections: conns.length, monitorRtt: conns[0].rtt ?? null })
    } catch (err) {
      emit({ event: 'ping-failed', peerId, source: 'interval', ...describeError(err) })
    }
  }, opts.pingIntervalMs)
  pingLoops.set(peerId, timer)
}
node.addEventListener('connection:open', (evt) => startPingLoop(evt.detail.remotePeer.toString()))

async function runCommand (cmd) {
  switch (cmd.cmd) {
    case 'ping': {
      const rtt = await node.services.ping.ping(toTarget(cmd.peer), { signal: AbortSignal.timeout(10_000) })
      return { rtt }
    }
    case 'echo': {
      const payload = cmd.data !== undefined ? new TextEncoder().encode(cmd.data) : new Uint8Array(randomBytes(cmd.size ?? 32))
      const started = performance.now()
      const reply = await callEcho(node, toTarget(cmd.peer), payload)
      const result = { bytes: reply.length, match: bytesEqual(reply, payload), ms: performance.now() - started }
      if (cmd.data !== undefined) result.reply = new TextDecoder().decode(reply)
      return result
    }
    case 'dial': {
      const conn = await node.dial(multiaddr(cmd.addr), { signal: AbortSignal.timeout(10_000) })
      return { peerId: conn.remotePeer.toString(), remoteAddr: conn.remoteAddr.toString() }
    }
    case 'peer': {
      const p = await node.peerStore.get(peerIdFromString(cmd.peer))
      const agent = p.metadata.get('AgentVersion')
      return {
        protocols: [...p.protocols].sort(),
        addrs: p.addresses.map((a) => a.multiaddr.toString()),
        agentVersion: agent ? new TextDecoder().decode(agent) : null
      }
    }
    case 'connections':
      return {
        connections: node.getConnections().map((c) => ({ peerId: c.remotePeer.toString(), remoteAddr: c.remoteAddr.toString(), direction: c.direction, status: c.status, rtt: c.rtt ?? null, opened: c.timeline.open }))
      }
    case 'handle': {
      // a late protocol registration: js-libp2p announces it to connected peers with Identify Push
      if (typeof cmd.protocol !== 'string' || !cmd.protocol.startsWith('/')) throw new Error('handle needs "protocol"')
      await node.handle(cmd.protocol, (stream, connection) => serveEcho(stream, connection, (info) => emit({ event: 'echo-served', protocol: cmd.protocol, ...info })))
      return { protocols: node.getProtocols().sort() }
    }
    case 'unhandle':
      await node.unhandle(cmd.protocol)
      return { protocols: node.getProtocols().sort() }
    case 'hangup':
      await node.hangUp(toTarget(cmd.peer))
      return {}
    case 'quit':
      setImmediate(shutdown)
      return {}
    default:
      throw new Error(`unknown cmd ${JSON.stringify(cmd.cmd)}`)
  }
}

async function shutdown () {
  if (stopping) return
  stopping = true
  for (const timer of pingLoops.values()) clearInterval(timer)
  try {
    await node.stop()
  } finally {
    emit({ event: 'stopped' })
    process.exit(0)
  }
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

await node.start()
emit({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) })

const rl = createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (line.trim() === '') return
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (err) {
    emit({ event: 'result', id: null, ok: false, error: `bad command line: ${err.message}` })
    return
  }
  try {
    emit({ event: 'result', id: cmd.id ?? null, cmd: cmd.cmd, ok: true, ...(await runCommand(cmd)) })
  } catch (err) {
    emit({ event: 'result', id: cmd.id ?? null, cmd: cmd.cmd, ok: false, ...describeError(err) })
  }
})
rl.on('close', shutdown)

if (opts.mode === 'dial') {
  // One scripted round so a dial run alone shows the whole handshake path.
  const target = multiaddr(opts.target)
  try {
    const conn = await node.dial(target, { signal: AbortSignal.timeout(10_000) })
    emit({ event: 'dialed', peerId: conn.remotePeer.toString(), remoteAddr: conn.remoteAddr.toString() })
    const rtt = await node.services.ping.ping(conn.remotePeer, { signal: AbortSignal.timeout(10_000) })
    emit({ event: 'ping', peerId: conn.remotePeer.toString(), rtt, source: 'dial' })
    const payload = new TextEncoder().encode(opts.echo)
    const reply = await callEcho(node, conn.remotePeer, payload)
    emit({ event: 'echo', peerId: conn.remotePeer.toString(), bytes: reply.length, match: bytesEqual(reply, payload), reply: new TextDecoder().decode(reply) })
  } catch (err) {
    emit({ event: 'dial-failed', addr: opts.target, ...describeError(err) })
  }
}
