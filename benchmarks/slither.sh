#!/usr/bin/env bash
# Slither static analysis of contracts/CrowdfundEscrow.sol, offline (used by `make audit`).
#
# - Compiles with the project's own compiler, tools/solc.js (solc-js 0.8.37) with the
#   build's settings, never with the `solc` shim that slither's solc-select dependency puts
#   in .venv-brownie/bin (it would try to download compilers).
# - OpenZeppelin findings are filtered out by path: crytic-compile's solc platform marks no
#   file as a dependency, so --exclude-dependencies alone would keep them.
# - Exits non-zero on any other medium or high finding. Extra arguments go to slither,
#   e.g. `benchmarks/slither.sh --json -` or `--checklist`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

exec "${SLITHER:-$root/.venv-brownie/bin/slither}" contracts/CrowdfundEscrow.sol \
    --solc "$root/.toolchain/solcx/solc-v0.8.37" \
    --solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
    --solc-args "--allow-paths $root --via-ir --optimize --evm-version prague" \
    --filter-paths "node_modules/" \
    --fail-medium \
    "$@"
