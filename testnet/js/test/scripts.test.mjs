// Checks the fixture's own scripts against a real anvil: node --test test/
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startAnvil } from '../anvil.mjs'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..')

function runScript (args, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      const lines = out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
      resolve({ code, lines, stderr: err })
    })
  })
}

describe('dApp client scripts against anvil', () => {
  let anvil
  before(async () => { anvil = await startAnvil() })
  after(async () => { await anvil?.stop() })

  for (const script of ['dapp-viem.mjs', 'dapp-ethers.mjs']) {
    it(`${script} passes every step`, async () => {
      const r = await runScript([script, '--http', anvil.http, '--ws', anvil.ws])
      const steps = r.lines.filter((l) => l.step !== 'summary')
      assert.deepEqual(steps.map((s) => s.step), ['chainId', 'blockNumber', 'getBalance', 'getBlock', 'deploy', 'call', 'transfer', 'getLogs', 'filter', 'newHeads'])
      for (const s of steps) assert.equal(s.ok, true, JSON.stringify(s))
      assert.equal(r.code, 0, r.stderr)
      assert.ok(steps.find((s) => s.step === 'newHeads').heads.length >= 2)
    })
  }

  for (const script of ['dapp-viem.mjs', 'dapp-ethers.mjs']) {
    it(`${script} reports a failed newHeads step (no crash) when the WebSocket is refused`, async () => {
      const r = await runScript([script, '--http', anvil.http, '--ws', 'ws://127.0.0.1:1', '--step-timeout-ms', '8000'])
      assert.equal(r.code, 1, r.stderr)
      const byStep = new Map(r.lines.map((l) => [l.step, l]))
      assert.equal(byStep.get('newHeads').ok, false)
      assert.match(byStep.get('newHeads').error, /ECONNREFUSED/)
      assert.equal(byStep.get('filter').ok, true)
      assert.deepEqual(byStep.get('summary').failed, ['newHeads'])
    })
  }

  it('a dApp script exits non-zero when the RPC URL is dead', async () => {
    const r = await runScript(['dapp-viem.mjs', '--http', 'http://127.0.0.1:1', '--ws', 'ws://127.0.0.1:1', '--step-timeout-ms', '3000'])
    assert.equal(r.code, 1)
    assert.equal(r.lines.at(-1).ok, false)
  })
})

describe('differential.mjs', () => {
  let a
  let b
  before(async () => { [a, b] = await Promise.all([startAnvil(), startAnvil()]) })
  after(async () => { await Promise.all([a?.stop(), b?.stop()]) })

  it('finds no mismatch between a URL and itself over 200 requests', async () => {
    const r = await runScript(['differential.mjs', '--a', a.http, '--b', a.http, '--count', '200'])
    const summary = r.lines.at(-1)
    assert.equal(summary.summary, true)
    assert.equal(summary.mismatches, 0, JSON.stringify(r.lines.slice(0, 3)))
    assert.equal(summary.requests, 200)
    assert.ok(summary.batches > 0 && summary.errorResponsesCompared > 0, JSON.stringify(summary))
    assert.equal(r.code, 0)
  })

  it('reports mismatches between two different chains and exits 1', async () => {
    const r = await runScript(['differential.mjs', '--a', b.http, '--b', a.http, '--count', '50'])
    assert.equal(r.code, 1)
    assert.ok(r.lines.at(-1).mismatches > 0)
    assert.ok(r.lines.some((l) => l.mismatch === true && l.problems.length > 0))
  })
})
