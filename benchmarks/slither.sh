#!/usr/bin/env bash
# Slither static analysis of contracts/CrowdfundEscrow.sol and contracts/MilestoneVault.sol,
# offline (used by `make audit`).
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

# One run per contract (slither takes one target); the vault's run also reads the escrow's
# interface. Triaged findings are silenced in the source with a slither-disable comment that
# names docs/audit.md.
version=$(pin version)
args=$(pin solc-args)
status=0
for contract in contracts/CrowdfundEscrow.sol contracts/MilestoneVault.sol; do
    echo "==> slither $contract" >&2
    "${SLITHER:-$root/.venv-brownie/bin/slither}" "$contract" \
        --solc "$root/.toolchain/solcx/solc-v$version" \
        --solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
        --solc-args "--allow-paths $root $args" \
        --filter-paths "node_modules/" \
        --fail-medium \
        "$@" || status=$?
done
exit $status
