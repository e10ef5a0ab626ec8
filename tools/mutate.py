"""`make mutate`: a mutation campaign over the contracts, scored by the contract tests.

Each mutant is one small change to a contract's source of a kind that a missing test
would let through:

- boundary: a comparison flipped at its boundary (`<` and `<=`, `>` and `>=`, `==` and `!=`);
- check: a guard dropped (`if (cond) revert ...` never taken);
- effect: a write of the contract's own state moved after the payment that follows it;
- constant: a constant changed by one (one unit, one bit of a shift or a mask);
- event: two fields of an event swapped (`emit`, and topics of the escrow's `logN`);
- assembly: an offset or a length of a hand-written log changed.

Every mutant is compiled and tested in a copy of the project (the checkout is never
changed): the contract tests run with `-x` (the first failing test kills the mutant),
those that name the mutated function first. A mutant that does not compile is stillborn
and not counted. Survivors are listed; one known to be equivalent (it changes nothing a
caller can observe) is explained in tools/mutants_equivalent.txt, by its id, and counted
as such. The report goes to stdout and, with --write, into docs/audit.md between markers.

A campaign takes hours, so every outcome is kept in .mutate/results.json as soon as it is
known, and a later run takes it from there instead of testing the mutant again: a killed
mutant while its contract's source is unchanged, any other outcome while the contract tests
are unchanged too (--fresh tests every chosen mutant again). An interrupted campaign goes on
where it stopped, and one can be run in parts (a contract, a kind) and reported whole.

    .venv/bin/python tools/mutate.py [--contract NAME]... [--kind KIND]... [--only ID]...
        [--jobs N] [--fresh] [--report] [--write] [--list]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ("CrowdfundEscrow", "MilestoneVault")
KINDS = ("boundary", "check", "effect", "constant", "event", "assembly")
EQUIVALENT = ROOT / "tools" / "mutants_equivalent.txt"
REPORT = ROOT / "docs" / "audit.md"
BEGIN, END = "<!-- mutation report: begin -->", "<!-- mutation report: end -->"
RESULTS = ROOT / ".mutate" / "results.json"
# One brownie network per worker, each on its own port (registered by `make networks`).
FIRST_PORT = 18950
TEST_TIMEOUT = 1800  # seconds for one mutant's tests; past it the mutant counts as killed


@dataclasses.dataclass(frozen=True)
class Mutant:
    id: str  # contract:line:kind:n, stable while the source does not change
    contract: str
    kind: str
    line: int  # 1-based
    function: str  # the function it lies in ("" outside any)
    before: str
    after: str

    def apply(self, source: str) -> str:
        lines = source.split("\n")
        # `before`/`after` may span lines (an effect moved): replace the block in place.
        block = "\n".join(lines[self.line - 1 : self.line - 1 + self.before.count("\n") + 1])
        assert block == self.before, f"{self.id}: the source changed under the mutant"
        replaced = "\n".join(lines[: self.line - 1]) + ("\n" if self.line > 1 else "")
        rest = "\n".join(lines[self.line - 1 + self.before.count("\n") + 1 :])
        return replaced + self.after + ("\n" + rest if rest or source.endswith("\n") else "")


# ------------------------------------------------------------------ generating mutants

_FLIPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_COMPARISON = re.compile(r"(?<![<>=!])(<=|>=|==|!=|<|>)(?![<>=])")
_CONTRACT = re.compile(r"^\s*(?:abstract\s+)?(?:contract|library|interface)\b")
_FUNCTION = re.compile(r"^\s*(?:function|modifier|constructor|receive|fallback)\b\s*(\w*)")
_CHECK = re.compile(r"^(\s*if \()(.*)(\)\s*(?:revert\b|_revert\w*\().*)$")
_CONSTANT = re.compile(r"^(\s*\w[\w\s]*\bconstant\s+\w+\s*=\s*)(.+);")
_EMIT = re.compile(r"^(\s*emit \w+\()(.*)(\);\s*)$")
_LOG = re.compile(r"^(\s*log[1-4]\()(.*)(\)\s*)$")
_STATE_WRITE = re.compile(r"^\s*(?:_store\w*\(|_pledges\[.*\]\s*[-+]?=|delete\s|\w+\.\w+\s*[-+]?=\s)")
_PAYMENT = re.compile(r"^\s*(?:_pay\w*\(|.*\.sendValue\(|.*safeTransfer\w*\()")


def _code(line: str) -> str:
    """The line without its comment (the contracts put no `//` inside strings)."""
    return line.split("//", 1)[0]


def _functions(lines: list[str]) -> list[str]:
    """The function each line lies in, by the last declaration above it."""
    current, found = "", []
    for line in lines:
        match = _FUNCTION.match(line)
        if match:
            current = match.group(1) or line.split()[0]
        elif _CONTRACT.match(line):
            current = ""  # a contract's own constants lie in no function
        found.append(current)
    return found


def _args(text: str) -> list[str]:
    """Top-level comma-separated arguments."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def mutants_of(contract: str, source: str) -> Iterator[Mutant]:
    lines = source.split("\n")
    functions = _functions(lines)
    in_assembly = False
    counts: dict[tuple[int, str], int] = {}

    def made(number: int, kind: str, before: str, after: str) -> Mutant:
        n = counts[(number, kind)] = counts.get((number, kind), 0) + 1
        return Mutant(
            f"{contract}:{number}:{kind}:{n}", contract, kind, number, functions[number - 1], before, after
        )

    for number, line in enumerate(lines, 1):
        code = _code(line)
        stripped = code.strip()
        if stripped.startswith(("///", "*", "/*", "import", "pragma")) or not stripped:
            continue
        if "assembly" in code and "{" in code:
            in_assembly = True
        if in_assembly:
            log = _LOG.match(code)
            if log:
                args = _args(log.group(2))
                # The data's offset and length, then the topics after the first (the event's).
                for i in (0, 1):
                    changed = [*args]
                    changed[i] = "0x00" if args[i] != "0x00" else "0x20"
                    yield made(number, "assembly", line, log.group(1) + ", ".join(changed) + log.group(3))
                for i in range(3, len(args) - 1):
                    swapped = [*args]
                    swapped[i], swapped[i + 1] = args[i + 1], args[i]
                    yield made(number, "event", line, log.group(1) + ", ".join(swapped) + log.group(3))
            if stripped == "}":
                in_assembly = False
            continue
        if functions[number - 1]:
            for match in _COMPARISON.finditer(code):
                op = match.group(1)
                # Not a type's angle brackets or a mapping's arrow: both sides are expressions.
                if op in ("<", ">") and re.search(r"\w\s*$", code[: match.start()]) is None:
                    continue
                after = line[: match.start()] + _FLIPS[op] + line[match.end() :]
                yield made(number, "boundary", line, after)
        check = _CHECK.match(line)
        if check:
            yield made(number, "check", line, check.group(1) + "false" + check.group(3))
        constant = _CONSTANT.match(code)
        if constant:
            value = constant.group(2)
            new_value = _changed_constant(value)
            if new_value is not None:
                yield made(number, "constant", line, constant.group(1) + new_value + ";")
        emit = _EMIT.match(code)
        if emit:
            args = _args(emit.group(2))
            for i in range(len(args) - 1):
                swapped = [*args]
                swapped[i], swapped[i + 1] = args[i + 1], args[i]
                yield made(number, "event", line, emit.group(1) + ", ".join(swapped) + emit.group(3))
        if _PAYMENT.match(code) and functions[number - 1]:
            # Each write of own state shortly before the payment, in the same function, moved after it.
            for back in range(1, 6):
                earlier = number - back
                if earlier < 1 or functions[earlier - 1] != functions[number - 1]:
                    break
                if _STATE_WRITE.match(_code(lines[earlier - 1])):
                    block = lines[earlier - 1 : number]
                    moved = [*block[1:], block[0]]
                    yield made(earlier, "effect", "\n".join(block), "\n".join(moved))


def _changed_constant(value: str) -> str | None:
    """The constant's value changed by one unit: `180 days` -> `179 days`, `104` -> `105`,
    `(1 << 104) - 1` -> `(1 << 103) - 1`, `1 << 0` -> `1 << 1`, a hex literal with its
    lowest bit flipped."""
    shift = re.search(r"<<\s*(\d+)", value)
    if shift:
        n = int(shift.group(1))
        return value[: shift.start(1)] + str(n - 1 if n else 1) + value[shift.end(1) :]
    number = re.search(r"\b(0x[0-9a-fA-F]+|\d+)\b", value)
    if number is None:
        return None
    text = number.group(1)
    if text.startswith("0x"):
        new = hex(int(text, 16) ^ 1)
    else:
        n = int(text)
        new = str(n - 1 if n > 1 else n + 1)
    return value[: number.start(1)] + new + value[number.end(1) :]


# ------------------------------------------------------------------ running them


def _project_copy(into: Path) -> None:
    """A brownie project in `into` that compiles the contracts and runs their tests."""
    for name in ("brownie-config.yaml",):
        shutil.copy(ROOT / name, into / name)
    shutil.copytree(ROOT / "contracts", into / "contracts")
    shutil.copytree(
        ROOT / "tests" / "contracts", into / "tests" / "contracts", ignore=shutil.ignore_patterns("solidity")
    )
    # The tests' own contracts are compiled from the checkout (crowdfund.compiler works on
    # its files); they import only interfaces, which are not mutated.
    (into / "tests" / "contracts" / "solidity").symlink_to(ROOT / "tests" / "contracts" / "solidity")
    (into / "node_modules").symlink_to(ROOT / "node_modules")


def _test_files(mutant: Mutant) -> list[str]:
    """The contract tests that can see the mutant, those that name the mutated function
    first, then the contract's own: the vault's tests (test_vault_*) for the vault; for the
    escrow every file, its own before the vault's, which drive it through the vault."""
    files = sorted((ROOT / "tests" / "contracts").glob("test_*.py"))
    vault = [f for f in files if f.name.startswith("test_vault_")]
    files = vault if mutant.contract == "MilestoneVault" else [f for f in files if f not in vault] + vault
    name = mutant.function.lstrip("_")
    first = [f for f in files if name and name in f.read_text()]
    return [str(f.relative_to(ROOT)) for f in first + [f for f in files if f not in first]]


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    result: str  # killed, survived, stillborn
    seconds: float
    by: str = ""  # the test that killed it


def run_mutant(mutant: Mutant, port: int) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crowdfund-mutant-") as scratch:
        project = Path(scratch)
        _project_copy(project)
        path = project / "contracts" / f"{mutant.contract}.sol"
        path.write_text(mutant.apply(path.read_text()))
        brownie = ROOT / ".venv-brownie" / "bin" / "brownie"
        command = [str(brownie), "test", *_test_files(mutant), "-x", "-p", "no:cacheprovider",
                   "--network", f"crowdfund-contracts-{port}"]  # fmt: skip
        env = {**os.environ, "PATH": f"{ROOT / '.toolchain' / 'bin'}:{os.environ['PATH']}",
               "SOLCX_BINARY_PATH": str(ROOT / ".toolchain" / "solcx")}  # fmt: skip
        try:
            done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True,
                                  timeout=TEST_TIMEOUT)  # fmt: skip
        except subprocess.TimeoutExpired:
            return Outcome(mutant, "killed", time.monotonic() - started, "(timed out)")
    output = re.sub(r"\x1b\[[0-9;]*[a-zA-Z]", "", done.stdout + done.stderr)
    result, by = judge(done.returncode, output)
    return Outcome(mutant, result, time.monotonic() - started, by)


def judge(returncode: int, output: str) -> tuple[str, str]:
    """A mutant's outcome from its test run: killed by the first test that failed, or whose
    setup failed (a fixture's campaign the mutant refuses: the tests noticed); survived when
    every test passed; stillborn when no test ran at all, because it did not compile."""
    failed = re.search(r"^(FAILED|ERROR) (tests/\S+)", output, re.MULTILINE)
    if returncode == 1 and failed:
        return "killed", failed.group(2) + (" (in its setup)" if failed.group(1) == "ERROR" else "")
    if returncode == 0:
        return "survived", ""
    errors = re.findall(r"^E\s+(.+)$|^((?:CompilerError|\w*Error):.*)$", output, re.MULTILINE)
    last = next(
        (a or b for a, b in reversed(errors)), output.strip().splitlines()[-1] if output.strip() else ""
    )
    return "stillborn", last[:120]


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _tests_digest() -> str:
    """The contract tests as a mutant's outcome depends on them (their own contracts too)."""
    folder = ROOT / "tests" / "contracts"
    return _digest([p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".sol")])


class Results:
    """Outcomes of earlier runs, by mutant id, with the contract source and the tests they
    were judged against (see the module's docstring for when one is taken as still true)."""

    def __init__(self, path: Path = RESULTS) -> None:
        self.path = path
        self.stored: dict[str, dict[str, object]] = json.loads(path.read_text()) if path.exists() else {}
        self.tests = _tests_digest()
        self.sources = {
            c: _digest([ROOT / "contracts" / f"{c}.sol"])
            for c in CONTRACTS
            if (ROOT / "contracts" / f"{c}.sol").exists()
        }

    def known(self, mutant: Mutant) -> Outcome | None:
        entry = self.stored.get(mutant.id)
        if (
            entry is None
            or entry["source"] != self.sources[mutant.contract]
            or entry["after"] != mutant.after
        ):
            return None
        if entry["result"] != "killed" and entry["tests"] != self.tests:
            return None
        return Outcome(mutant, str(entry["result"]), float(entry["seconds"]), str(entry["by"]))  # type: ignore[arg-type]

    def keep(self, outcome: Outcome) -> None:
        self.stored[outcome.mutant.id] = {
            "source": self.sources[outcome.mutant.contract],
            "tests": self.tests,
            "after": outcome.mutant.after,
            "result": outcome.result,
            "seconds": round(outcome.seconds, 1),
            "by": outcome.by,
        }
        self.path.parent.mkdir(exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(self.stored, indent=1, sort_keys=True))
        scratch.replace(self.path)  # whole or not at all, should the run be stopped mid-write


def _equivalents() -> dict[str, str]:
    """Mutant ids known to be equivalent, with why: `id  reason` lines, # for comments."""
    if not EQUIVALENT.exists():
        return {}
    found = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            id_, _, why = line.partition(" ")
            found[id_] = why.strip()
    return found


def report(outcomes: list[Outcome], selection: str = "", untested: int = 0) -> str:
    """The report for `outcomes`; `untested` mutants of the selection have none yet."""
    equivalent = _equivalents()
    valid = [o for o in outcomes if o.result != "stillborn"]
    killed = [o for o in valid if o.result == "killed"]
    survivors = [o for o in valid if o.result == "survived"]
    explained = [o for o in survivors if o.mutant.id in equivalent]
    lines = [
        f"Mutation campaign (`make mutate`): {len(outcomes)} mutants, {len(outcomes) - len(valid)} stillborn "
        f"(do not compile), {len(valid)} valid: **{len(killed)} killed**, "
        f"{len(explained)} equivalent, {len(survivors) - len(explained)} unexplained survivors; "
        f"score {len(killed) / max(1, len(valid) - len(explained)):.0%} of the non-equivalent. "
        f"Their test runs took {sum(o.seconds for o in outcomes) / 3600:.1f} hours in all, one after another."
        + (f" **{untested} mutants of the selection were not yet tested.**" if untested else "")
        + (f" Mutants chosen: `{selection}`." if selection else ""),
        "",
        "| contract | kind | mutants | killed | equivalent | survived |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for contract in CONTRACTS:
        for kind in KINDS:
            group = [o for o in valid if o.mutant.contract == contract and o.mutant.kind == kind]
            if group:
                k = sum(o.result == "killed" for o in group)
                e = sum(o.result == "survived" and o.mutant.id in equivalent for o in group)
                lines.append(f"| {contract} | {kind} | {len(group)} | {k} | {e} | {len(group) - k - e} |")
    if survivors:
        lines += ["", "Survivors:", ""]
        for o in survivors:
            why = equivalent.get(o.mutant.id, "**not explained: a test is missing**")
            change = " / ".join(line.strip() for line in o.mutant.after.split("\n") if line.strip())
            where = f"in `{o.mutant.function}`" if o.mutant.function else "outside any function"
            lines.append(f"- `{o.mutant.id}` {where}: `{change}`: {why}")
    return "\n".join(lines)


def _write(text: str) -> None:
    doc = REPORT.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc:
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip("\n") + "\n\n## Mutation testing\n\n" + block + "\n"
    REPORT.write_text(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--contract", action="append", choices=CONTRACTS, help="only this contract (repeatable)"
    )
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="only this kind of mutant (repeatable)"
    )
    parser.add_argument(
        "--only", action="append", metavar="ID", help="only the mutant with this id (repeatable)"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="mutants tested at once (each runs its own anvil)"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help=f"test every chosen mutant again, ignoring {RESULTS.relative_to(ROOT)}",
    )
    parser.add_argument("--write", action="store_true", help="write the report into docs/audit.md")
    parser.add_argument(
        "--report",
        action="store_true",
        help=f"test nothing: report the outcomes kept in {RESULTS.relative_to(ROOT)} for the chosen mutants",
    )
    args = parser.parse_args(argv)

    mutants = [
        m
        for contract in args.contract or CONTRACTS
        if (ROOT / "contracts" / f"{contract}.sol").exists()
        for m in mutants_of(contract, (ROOT / "contracts" / f"{contract}.sol").read_text())
        if (args.kind is None or m.kind in args.kind) and (args.only is None or m.id in args.only)
    ]
    if args.list:
        for m in mutants:
            print(f"{m.id:<32} {m.function:<22} {m.after.strip()[:100]}")
        print(f"{len(mutants)} mutants")
        return 0
    results = Results()
    outcomes: list[Outcome] = []
    queue = []
    for m in mutants:
        earlier = None if args.fresh else results.known(m)
        if earlier is None:
            queue.append(m)
        else:
            outcomes.append(earlier)
    reused = len(outcomes)
    if args.report:
        queue, untested = [], len(queue)
    else:
        untested = 0
    print(f"{len(mutants)} mutants: {reused} judged by earlier runs ({RESULTS.relative_to(ROOT)}), "
          f"{len(queue)} to test, {args.jobs} at a time", flush=True)  # fmt: skip
    ports = [FIRST_PORT + n for n in range(args.jobs)]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        free = list(ports)
        pending: dict[concurrent.futures.Future[Outcome], int] = {}
        while queue or pending:
            while queue and free:
                port = free.pop()
                pending[pool.submit(run_mutant, queue.pop(0), port)] = port
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                free.append(pending.pop(future))
                outcome = future.result()
                outcomes.append(outcome)
                results.keep(outcome)
                print(f"[{len(outcomes)}/{len(mutants)}] {outcome.result:<9} {outcome.mutant.id:<32} "
                      f"{outcome.seconds:5.0f} s  {outcome.by}", flush=True)  # fmt: skip
    outcomes.sort(key=lambda o: (o.mutant.contract, o.mutant.line, o.mutant.id))
    chosen = [
        f"--{name} {value}" for name in ("contract", "kind", "only") for value in getattr(args, name) or ()
    ]
    text = report(outcomes, " ".join(chosen), untested)
    print()
    print(text)
    if args.write:
        _write(text)
        print(f"\nwritten into {REPORT.relative_to(ROOT)}")
    unexplained = [o for o in outcomes if o.result == "survived" and o.mutant.id not in _equivalents()]
    return 1 if unexplained or untested else 0


if __name__ == "__main__":
    sys.exit(main())
