"""What each part of `make bench-api` hands back: its figures, targets and notes, for the
printed table and docs/performance.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from api_load import Result


@dataclass(frozen=True)
class Check:
    target: str
    measured: str
    met: bool


@dataclass
class Part:
    name: str  # as selected with --only
    title: str
    notes: list[str] = field(default_factory=list)  # markdown bullet points: setup and figures
    results: list[Result] = field(default_factory=list)  # endpoints loaded, for the table
    checks: list[Check] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)  # what is measured, in words
    seconds: float = 0.0  # the part's wall time, seeding included

    def check(self, target: str, measured: str, met: bool) -> None:
        self.checks.append(Check(target, measured, met))


def endpoint_table(results: list[Result]) -> list[str]:
    lines = [
        "| endpoint | path | req/s | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        figures = f"{r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors}"
        lines.append(f"| {r.name} | `{r.path}` | {figures} |")
    return lines


def check_table(checks: list[Check]) -> list[str]:
    lines = ["| target | measured | met |", "| --- | ---: | :---: |"]
    lines += [f"| {c.target} | {c.measured} | {'yes' if c.met else '**no**'} |" for c in checks]
    return lines
