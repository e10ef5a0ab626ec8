"""Fixtures for driving `crowdfund` against a real local chain (see cli_support)."""

from cli_support import cli, escrow, home, rpc_url, w3

__all__ = ["cli", "escrow", "home", "rpc_url", "w3"]
