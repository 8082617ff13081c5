// Shared plumbing of the dApp client scripts: arguments, steps printed as JSON lines, timeouts.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Anvil's public, well-known development mnemonic; the scripts derive its first accounts. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

const here = dirname(fileURLToPath(import.meta.url))

export function loadStoreArtifact () {
  return JSON.parse(readFileSync(join(here, 'contracts', 'Store.json'), 'utf8'))
}

export function parseDappArgs (argv, usage) {
  const opts = { http: null, ws: null, stepTimeoutMs: 30_000 }
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (value === undefined) fail(usage, `missing value for ${flag}`)
    if (flag === '--http') opts.http = value
    else if (flag === '--ws') opts.ws = value
    else if (flag === '--step-timeout-ms') opts.stepTimeoutMs = Number.parseInt(value, 10)
    else fail(usage, `unknown flag ${flag}`)
  }
  if (!opts.http || !opts.ws) fail(usage, '--http and --ws are required')
  return opts
}

function fail (usage, msg) {
  process.stderr.write(`${msg}\nusage: ${usage}\n`)
  process.exit(2)
}

/**
 * Runs named steps in order. Each prints one JSON line; a failed step's dependants are reported
 * as failed ("needs <step>") rather than run against missing state.
 */
export class StepRunner {
  constructor (client, stepTimeoutMs) {
    this.client = client
    this.stepTimeoutMs = stepTimeoutMs
    this.failed = new Set()
    this.results = new Map()
    this.failRunningStep = null
    // Client libraries reject promises and emit errors of their own (a refused eth_subscribe inside
    // ethers' WebSocketProvider, a WebSocket that cannot connect): that fails the running step
    // instead of killing the process before the remaining steps and the summary are printed.
    const failAsync = (reason) => {
      if (this.failRunningStep) {
        this.failRunningStep(reason)
      } else {
        this.failed.add('unhandled')
        this.print({ step: 'unhandled', ok: false, error: describe(reason) })
      }
    }
    process.on('unhandledRejection', failAsync)
    process.on('uncaughtException', failAsync)
  }

  async step (name, needs, fn) {
    const missing = needs.filter((n) => this.failed.has(n) || !this.results.has(n))
    if (missing.length > 0) {
      this.failed.add(name)
      this.print({ step: name, ok: false, error: `needs ${missing.join(', ')}` })
      return undefined
    }
    const started = performance.now()
    let timer
    try {
      const timeout = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${this.stepTimeoutMs} ms`)), this.stepTimeoutMs)
        this.failRunningStep = reject
      })
      const details = await Promise.race([fn(), timeout])
      this.results.set(name, details ?? {})
      this.print({ step: name, ok: true, ms: Math.round(performance.now() - started), ...(details ?? {}) })
      return details
    } catch (err) {
      this.failed.add(name)
      this.print({ step: name, ok: false, ms: Math.round(performance.now() - started), error: describe(err) })
      return undefined
    } finally {
      clearTimeout(timer)
      this.failRunningStep = null
    }
  }

  print (obj) {
    process.stdout.write(JSON.stringify({ client: this.client, ...obj }, (k, v) => typeof v === 'bigint' ? v.toString() : v) + '\n')
  }

  /** Prints the summary line and returns the process exit code. */
  finish () {
    const ok = this.failed.size === 0
    this.print({ step: 'summary', ok, passed: this.results.size, failed: [...this.failed] })
    return ok ? 0 : 1
  }
}

/** A readable message for an Error, a JSON-RPC error object or anything else thrown. */
export function describe (err) {
  if (err instanceof Error) {
    const rpc = err.error?.code !== undefined ? ` (JSON-RPC ${err.error.code} ${err.error.message})` : ''
    return String(err.shortMessage ?? err.message) + rpc
  }
  if (err !== null && typeof err === 'object' && typeof err.type === 'string') {
    // a DOM-style ErrorEvent from a WebSocket: its fields are getters that JSON does not see
    const inner = err.error instanceof Error ? err.error.message : err.message
    return `${err.constructor?.name ?? 'event'} '${err.type}'${inner ? `: ${inner}` : ''}`
  }
  try {
    return JSON.stringify(err)
  } catch {
    return String(err)
  }
}

export function check (condition, message) {
  if (!condition) throw new Error(message)
}
