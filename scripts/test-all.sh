#!/usr/bin/env bash
# Runs every test: installs the npm fixtures, then builds and verifies all modules.
# With CI=true the interop and end-to-end tests are mandatory (they fail instead of skipping).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/install-fixtures.sh
# The fixture's own checks: the dApp and differential scripts against real anvil nodes.
(cd testnet/js && npm test)
./mvnw -B -ntp verify "$@"
