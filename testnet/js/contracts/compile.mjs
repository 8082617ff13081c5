// Re-compiles Store.sol with solc-js (offline, the version pinned in package.json) and writes
// Store.json: { contractName, compiler, abi, bytecode, deployedBytecode }.
//   node contracts/compile.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'

const here = dirname(fileURLToPath(import.meta.url))
const source = readFileSync(join(here, 'Store.sol'), 'utf8')
const input = {
  language: 'Solidity',
  sources: { 'Store.sol': { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // anvil 1.7.1 defaults to the Prague hardfork; pinning keeps the bytecode stable across solc defaults
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } }
  }
}
const output = JSON.parse(solc.compile(JSON.stringify(input)))
const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
for (const e of output.errors ?? []) process.stderr.write(e.formattedMessage + '\n')
if (errors.length > 0) process.exit(1)
const c = output.contracts['Store.sol'].Store
const artifact = {
  contractName: 'Store',
  compiler: `solc-js ${solc.version()}`,
  evmVersion: input.settings.evmVersion,
  abi: c.abi,
  bytecode: '0x' + c.evm.bytecode.object,
  deployedBytecode: '0x' + c.evm.deployedBytecode.object
}
writeFileSync(join(here, 'Store.json'), JSON.stringify(artifact, null, 2) + '\n')
process.stderr.write(`wrote Store.json (${(artifact.bytecode.length - 2) / 2} bytes of init code)\n`)
