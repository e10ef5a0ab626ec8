"""Line-level coverage of a contract (the escrow by default) from the last `brownie test --coverage` run.

brownie's table leaves out functions that contain no branch (pledge, postUpdate, _pay,
the views...), so this reads the per-transaction coverage brownie keeps in build/tests.json
and checks every statement and branch of every function in the contract's coverage map.

    .venv-brownie/bin/python tests/contracts/coverage_lines.py [ContractName]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(contract: str = "CrowdfundEscrow") -> int:
    build = json.loads((ROOT / "build" / "contracts" / f"{contract}.json").read_text())
    tests = json.loads((ROOT / "build" / "tests.json").read_text())
    hit: dict[str, list[set[int]]] = {}
    for tx in tests["tx"].values():
        for path_id, (statements, true_, false_) in tx.get(contract, {}).items():
            merged = hit.setdefault(path_id, [set(), set(), set()])
            merged[0].update(statements)
            merged[1].update(true_)
            merged[2].update(false_)

    def where(path_id, offset):
        path = build["allSourcePaths"][path_id]
        text = (ROOT / path).read_text()
        start, end = offset
        return path, text[:start].count("\n") + 1, " ".join(text[start:end].split())[:70]

    stmt_total = stmt_hit = 0
    lines_total: set = set()
    lines_missed: set = set()
    for path_id, functions in build["coverageMap"]["statements"].items():
        seen = hit.get(path_id, [set(), set(), set()])[0]
        for fn, statements in functions.items():
            for index, offset in statements.items():
                path, line, _ = where(path_id, offset)
                stmt_total += 1
                lines_total.add((path, line))
                if int(index) in seen:
                    stmt_hit += 1
                else:
                    lines_missed.add((path, line))
                    print(f"statement never run: {path}:{line} ({fn})")

    branch_total = branch_true = branch_false = 0
    for path_id, functions in build["coverageMap"]["branches"].items():
        _, seen_true, seen_false = hit.get(path_id, [set(), set(), set()])
        for fn, branches in functions.items():
            for index, (start, end, _jump) in branches.items():
                branch_total += 1
                t, f = int(index) in seen_true, int(index) in seen_false
                branch_true += t
                branch_false += f
                if not (t and f):
                    path, line, text = where(path_id, (start, end))
                    # brownie records which way the jump went, not the condition's value
                    seen = "never seen" if not (t or f) else "seen one way only"
                    print(f"branch {seen}: {path}:{line} `{text}` ({fn})")

    own = build["sourcePath"]
    own_lines = {line for path, line in lines_total if path == own}
    own_missed = {line for path, line in lines_missed if path == own}
    print(
        f"\n{contract}: statements {stmt_hit}/{stmt_total}; lines of {own} with a statement: "
        f"{len(own_lines) - len(own_missed)}/{len(own_lines)} run"
    )
    print(
        f"branches: {branch_total}; jump directions seen {branch_true + branch_false}/{2 * branch_total} "
        f"({branch_true} one way, {branch_false} the other)"
    )
    return 1 if own_missed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
