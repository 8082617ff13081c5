// Runs a command against a fresh anvil: starts anvil on a free port, runs the command with
// `--http URL --ws WSURL` appended, stops anvil, and exits with the command's exit code.
//   node run-anvil.mjs -- node dapp-viem.mjs
import { spawn } from 'node:child_process'
import { startAnvil } from './anvil.mjs'

const sep = process.argv.indexOf('--')
const command = sep >= 0 ? process.argv.slice(sep + 1) : []
if (command.length === 0) {
  process.stderr.write('usage: node run-anvil.mjs -- COMMAND [ARGS...]\n')
  process.exit(2)
}
const anvil = await startAnvil()
process.stderr.write(`run-anvil: anvil at ${anvil.http}\n`)
let code = 1
try {
  const child = spawn(command[0], [...command.slice(1), '--http', anvil.http, '--ws', anvil.ws], { stdio: 'inherit' })
  code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))))
} finally {
  await anvil.stop()
}
process.exit(code)
