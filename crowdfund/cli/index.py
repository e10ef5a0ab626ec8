"""`crowdfund index`: the gateway's indexer as its own process. It lives with the gateway
(`api.indexer`, installed with the `api` extra); this module only hands it the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def run(argv: Sequence[str]) -> int:
    try:
        from api import indexer
    except ImportError:
        print(
            "error: the indexer is part of the gateway; install it with `pip install 'crowdfund[api]'`",
            file=sys.stderr,
        )
        return 1
    try:
        indexer.main(list(argv))
    except SystemExit as exc:  # its argparse: --help, or a wrong command line
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    return 0


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    # Listed for --help only: main() hands `crowdfund index ...` to the indexer before parsing,
    # so that its own options (--once, --help) reach it unchanged.
    commands.add_parser(
        "index",
        help="run the gateway's indexer alone, configured like the gateway (`crowdfund index --help`)",
    )
