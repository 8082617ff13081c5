// js-libp2p 3.x <-> js-libp2p 3.x loopback benchmark: two nodes in this one process over TCP +
// Noise + Yamux, the same figures the Java benchmark measures for its own host.
//
//   node --import ./polyfill.mjs libp2p-bench.mjs [--handshakes N] [--warmup N] [--warmup-mib N]
//                                                 [--mib N] [--streams 1,16]
//
// Figures (printed as one JSON line on stdout, progress on stderr):
//   handshakesPerSec   sequential dial + close, each a full TCP + multistream + Noise XX + Yamux
//                      upgrade (identify runs on each connection as it does in production)
//   throughput         per stream count: MiB written in 64 KiB writes, split evenly over the
//                      streams of one connection, timed until the receiver acknowledges the last byte
// Each also per CPU second of this process (user + system; both nodes live in it), which stays
// comparable when other work shares the machine.
// Untimed warm-up first, the same as the Java benchmark's: --warmup handshakes (default 200) and
// --warmup-mib MiB (default 1024) over each stream count, in 4 interleaved slices shaped like a round.
// MB/s here is 10^6 bytes per second.
import { multiaddr } from '@multiformats/multiaddr'
import { createNode } from './libp2p-common.mjs'

const BENCH_PROTOCOL = '/disjoint/bench/1.0.0'
const WRITE_SIZE = 64 * 1024
const WARMUP_SLICES = 4

function parseArgs (argv) {
  const opts = { handshakes: 500, mib: 256, streams: [1, 16], warmupHandshakes: 200, warmupMib: 1024 }
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (value === undefined) throw new Error(`missing value for ${flag}`)
    if (flag === '--handshakes') opts.handshakes = Number.parseInt(value, 10)
    else if (flag === '--mib') opts.mib = Number.parseInt(value, 10)
    else if (flag === '--warmup') opts.warmupHandshakes = Number.parseInt(value, 10)
    else if (flag === '--warmup-mib') opts.warmupMib = Number.parseInt(value, 10)
    else if (flag === '--streams') opts.streams = value.split(',').map((s) => Number.parseInt(s, 10))
    else throw new Error(`unknown flag ${flag}`)
  }
  if (!(opts.handshakes > 0) || !(opts.mib > 0) || opts.streams.some((n) => !(n > 0))) {
    throw new Error('--handshakes, --mib and --streams must be positive')
  }
  if (!(opts.warmupHandshakes >= 0) || !(opts.warmupMib >= 0)) {
    throw new Error('--warmup and --warmup-mib must not be negative')
  }
  return opts
}

function log (msg) {
  process.stderr.write(`libp2p-bench: ${msg}\n`)
}

/** Sink: counts bytes until the writer half-closes, then answers with the count as 8 bytes BE. */
async function sink (stream) {
  let received = 0n
  try {
    for await (const chunk of stream) received += BigInt(chunk.byteLength)
    const ack = new Uint8Array(8)
    new DataView(ack.buffer).setBigUint64(0, received)
    stream.send(ack)
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

async function sendAndAwaitAck (stream, bytes) {
  const chunk = new Uint8Array(WRITE_SIZE).fill(0x5a)
  let left = bytes
  while (left > 0) {
    const piece = left >= WRITE_SIZE ? chunk : chunk.subarray(0, left)
    left -= piece.byteLength
    if (!stream.send(piece)) await stream.onDrain()
  }
  const acked = new Promise((resolve, reject) => {
    const parts = []
    stream.addEventListener('message', (evt) => parts.push(evt.data.subarray()))
    stream.addEventListener('close', (evt) => {
      if (evt.error != null) return reject(evt.error)
      const all = Buffer.concat(parts)
      if (all.length !== 8) return reject(new Error(`ack had ${all.length} bytes`))
      resolve(all.readBigUInt64BE(0))
    })
  })
  await stream.close()
  const got = await acked
  if (got !== BigInt(bytes)) throw new Error(`receiver counted ${got} of ${bytes} bytes`)
}

/** CPU seconds this process used (user + system) since `since` (a process.cpuUsage() value). */
function cpuSeconds (since) {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1e6
}

async function measureHandshakes (dialer, addr, count) {
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const conn = await dialer.dial(addr)
    await conn.close()
  }
  const seconds = (performance.now() - started) / 1000
  return { perSec: count / seconds, perCpuSec: count / cpuSeconds(cpu) }
}

async function measureThroughput (dialer, addr, streamCount, totalBytes) {
  const conn = await dialer.dial(addr)
  try {
    const perStream = Math.floor(totalBytes / streamCount)
    const streams = []
    for (let i = 0; i < streamCount; i++) streams.push(await conn.newStream(BENCH_PROTOCOL))
    const cpu = process.cpuUsage()
    const started = performance.now()
    await Promise.all(streams.map((s) => sendAndAwaitAck(s, perStream)))
    const seconds = (performance.now() - started) / 1000
    const mb = (perStream * streamCount) / 1e6
    return { streams: streamCount, bytes: perStream * streamCount, seconds, mbPerSec: mb / seconds, mbPerCpuSec: mb / cpuSeconds(cpu) }
  } finally {
    await conn.close()
  }
}

const opts = parseArgs(process.argv.slice(2))
const listener = await createNode({ bench: true, echo: false, pingIntervalMs: 0 })
const dialer = await createNode({ bench: true, echo: false, pingIntervalMs: 0 })
await listener.handle(BENCH_PROTOCOL, (stream) => sink(stream), { maxInboundStreams: 1024 })
await dialer.handle(BENCH_PROTOCOL, (stream) => sink(stream), { maxOutboundStreams: 1024 })
await listener.start()
await dialer.start()
const addr = multiaddr(listener.getMultiaddrs()[0].toString())
try {
  log(`warm-up: ${opts.warmupHandshakes} handshakes, ${opts.warmupMib} MiB over ${opts.streams.join(',')} streams`)
  for (let slice = 0; slice < WARMUP_SLICES; slice++) {
    await measureHandshakes(dialer, addr, Math.floor(opts.warmupHandshakes / WARMUP_SLICES))
    if (opts.warmupMib > 0) {
      for (const n of opts.streams) await measureThroughput(dialer, addr, n, opts.warmupMib * 1024 * 1024 / WARMUP_SLICES)
    }
  }
  log(`handshakes: ${opts.handshakes} sequential dial + close`)
  const hs = await measureHandshakes(dialer, addr, opts.handshakes)
  log(`handshakes/s ${hs.perSec.toFixed(1)} (${hs.perCpuSec.toFixed(1)} per CPU second)`)
  const throughput = []
  for (const n of opts.streams) {
    const r = await measureThroughput(dialer, addr, n, opts.mib * 1024 * 1024)
    log(`${n} stream(s): ${r.mbPerSec.toFixed(1)} MB/s (${r.mbPerCpuSec.toFixed(1)} MB per CPU second)`)
    throughput.push(r)
  }
  process.stdout.write(JSON.stringify({
    impl: 'js-libp2p 3.3.11',
    node: process.version,
    handshakes: opts.handshakes,
    handshakesPerSec: hs.perSec,
    handshakesPerCpuSec: hs.perCpuSec,
    writeSize: WRITE_SIZE,
    throughput
  }) + '\n')
} finally {
  await dialer.stop()
  await listener.stop()
}
