"""What the command prints: sentences and tables for people, one JSON document for
scripts (`--json`), and a progress line on stderr while a transaction is pending or long
work (an audit) runs."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from crowdfund.transactions import Progress


class Output:
    def __init__(self, json_mode: bool, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._last_progress = ""
        self._live = self.err.isatty()

    def line(self, text: str = "") -> None:
        """A sentence for people; `--json` replaces these with the final document."""
        if not self.json_mode:
            print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        """Work under way (a long compile, say), on stderr so that stdout stays the answer;
        `--json` keeps quiet."""
        if not self.json_mode:
            self._end_progress()
            print(text, file=self.err, flush=True)

    def warn(self, text: str) -> None:
        self._end_progress()
        print(f"warning: {text}", file=self.err, flush=True)

    def error(self, text: str) -> None:
        self._end_progress()
        print(f"error: {text}", file=self.err, flush=True)

    def document(self, payload: dict[str, Any]) -> None:
        if self.json_mode:
            print(json.dumps(payload, indent=2), file=self.out, flush=True)

    def table(self, headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> None:
        widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

        def fmt(cells: list[str]) -> str:
            return "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        self.line(fmt(headers))
        for row in rows:
            self.line(fmt(row))

    def progress(self, progress: Progress) -> None:
        """One line per change; rewritten in place on a terminal."""
        if progress.block is None:
            text = f"tx {progress.tx_hash}: pending ({progress.elapsed:.0f} s)"
        else:
            text = (
                f"tx {progress.tx_hash}: in block {progress.block}, "
                f"{min(progress.confirmations, progress.wanted)}/{progress.wanted} confirmations"
            )
        if self._live:
            print(f"\r\033[K{text}", end="", file=self.err, flush=True)
        elif text.split(" (")[0] != self._last_progress.split(" (")[0]:
            print(text, file=self.err, flush=True)
        self._last_progress = text

    def meter(self, text: str) -> None:
        """Long work's progress (`crowdfund audit`), rewritten in place on a terminal; quiet
        elsewhere, where a log of every step would bury the answer."""
        if self._live:
            print(f"\r\033[K{text}", end="", file=self.err, flush=True)
            self._last_progress = text

    def _end_progress(self) -> None:
        if self._live and self._last_progress:
            print(file=self.err, flush=True)
        self._last_progress = ""

    def done(self) -> None:
        self._end_progress()
