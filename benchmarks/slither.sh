#!/usr/bin/env bash
# Slither static analysis of contracts/CrowdfundEscrow.sol, offline (used by `make audit`).
#
# - Compiles with the project's own compiler, tools/solc.js (solc-js), at the version and
#   with the settings of the compiler pin (brownie-config.yaml, read by crowdfund.compiler),
#   never with the `solc` shim that slither's solc-select dependency puts in
#   .venv-brownie/bin (it would try to download compilers).
# - OpenZeppelin findings are filtered out by path: crytic-compile's solc platform marks no
#   file as a dependency, so --exclude-dependencies alone would keep them.
# - Exits non-zero on any other medium or high finding. Extra arguments go to slither,
#   e.g. `benchmarks/slither.sh --json -` or `--checklist`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pin() { "$root/.venv-brownie/bin/python" -m crowdfund.compiler "$1"; }

exec "${SLITHER:-$root/.venv-brownie/bin/slither}" contracts/CrowdfundEscrow.sol \
    --solc "$root/.toolchain/solcx/solc-v$(pin version)" \
    --solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
    --solc-args "--allow-paths $root $(pin solc-args)" \
    --filter-paths "node_modules/" \
    --fail-medium \
    "$@"
