// Starts the fixture's real anvil binary on a free loopback port and stops it again.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ANVIL_BIN = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil')

export function freePort () {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Resolves once anvil answers eth_chainId; returns { http, ws, port, stop() }. */
export async function startAnvil ({ extraArgs = [], readyTimeoutMs = 20_000 } = {}) {
  const port = await freePort()
  const child = spawn(ANVIL_BIN, ['--host', '127.0.0.1', '--port', String(port), '--silent', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const http = `http://127.0.0.1:${port}`
  const deadline = Date.now() + readyTimeoutMs
  while (true) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr}`)
    try {
      const res = await fetch(http, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' })
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`anvil did not answer on ${http} within ${readyTimeoutMs} ms: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    port,
    http,
    ws: `ws://127.0.0.1:${port}`,
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  }
}
