// Shared pieces of the js-libp2p 3.x fixture: node construction with the same stack the Java host
// speaks (TCP + Noise + Yamux, Identify, Ping) and the /disjoint/echo/1.0.0 test protocol.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/disjoint/echo/1.0.0'
export const AGENT_VERSION = 'disjoint-js-fixture/0.1.0 js-libp2p/3.3.11'
/** Largest echo message either side accepts; mirrors the limit the Java test handler applies. */
export const ECHO_MAX_BYTES = 4 * 1024 * 1024

/**
 * Creates (but does not start) a js-libp2p node listening on the given addresses.
 * `bench` raises the per-host inbound rate limits that otherwise throttle loopback dial loops.
 * `keyType` is 'Ed25519' (js-libp2p's default) or 'secp256k1'.
 */
export async function createNode ({ listen = ['/ip4/127.0.0.1/tcp/0'], pingIntervalMs = 10_000, bench = false, echo = true, onEcho, keyType = 'Ed25519' } = {}) {
  const connectionManager = bench
    ? { inboundConnectionThreshold: 1_000_000, maxIncomingPendingConnections: 10_000, maxConnections: 10_000 }
    : {}
  const node = await createLibp2p({
    start: false,
    privateKey: await generateKeyPair(keyType),
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager,
    connectionMonitor: { pingInterval: pingIntervalMs, enabled: pingIntervalMs > 0 },
    nodeInfo: { userAgent: AGENT_VERSION },
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      // The connection monitor pings on the same protocol and interval as the peer's reported
      // ping loop; with js's default of 1 outbound ping stream per connection the two collide now
      // and then (TooManyOutboundProtocolStreamsError, a js-side limit, not a Java failure).
      ping: ping({ maxOutboundStreams: 4 })
    }
  })
  if (echo) {
    await node.handle(ECHO_PROTOCOL, (stream, connection) => serveEcho(stream, connection, onEcho), {
      maxInboundStreams: 1024,
      maxOutboundStreams: 1024
    })
  }
  return node
}

/**
 * Echo responder: reads length-prefixed messages and writes each back unchanged until the remote
 * half-closes, then closes its own side.
 */
export async function serveEcho (stream, connection, onEcho) {
  const lp = lpStream(stream, { maxDataLength: ECHO_MAX_BYTES })
  try {
    while (true) {
      let msg
      try {
        msg = await lp.read()
      } catch (err) {
        if (isEndOfStream(err, stream)) break
        throw err
      }
      const bytes = msg.subarray()
      await lp.write(bytes)
      onEcho?.({ peerId: connection.remotePeer.toString(), bytes: bytes.length })
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
    onEcho?.({ peerId: connection.remotePeer.toString(), error: String(err?.message ?? err) })
  }
}

function isEndOfStream (err, stream) {
  return err?.name === 'UnexpectedEOFError' || stream.readStatus === 'closed' || stream.status !== 'open'
}

/** Sends `payload` over a fresh echo stream on the connection (or to the peer) and returns the reply. */
export async function callEcho (node, target, payload, { timeoutMs = 10_000 } = {}) {
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await node.dialProtocol(target, ECHO_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: ECHO_MAX_BYTES })
  try {
    await lp.write(payload, { signal })
    const reply = await lp.read({ signal })
    await stream.close({ signal })
    return reply.subarray()
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

export function bytesEqual (a, b) {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
