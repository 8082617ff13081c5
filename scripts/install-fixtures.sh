#!/usr/bin/env bash
# Installs the npm fixtures (anvil, js-libp2p, viem, ethers) from the committed package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixture="$here/testnet/js"
if [ ! -f "$fixture/package-lock.json" ]; then
  echo "install-fixtures: $fixture/package-lock.json is missing" >&2; exit 1
fi
stamp="$fixture/node_modules/.disjoint-lock.sha256"
want="$(sha256sum "$fixture/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "install-fixtures: npm ci in testnet/js" >&2
(cd "$fixture" && npm ci --no-audit --no-fund --loglevel=error) >&2
echo "$want" > "$stamp"
