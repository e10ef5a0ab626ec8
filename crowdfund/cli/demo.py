"""`crowdfund demo`: seed the local chain with demo campaigns, once (used by `make run`)."""

from __future__ import annotations

from argparse import ArgumentParser, _SubParsersAction
from typing import Any

from crowdfund import demo
from crowdfund.cli.context import Context, Refused
from crowdfund.vault import VaultNotDeployed


def run(ctx: Context) -> dict[str, Any]:
    try:
        demo.require_local_chain(ctx.w3)  # before the escrow, which may not be recorded there
    except demo.NotLocalChain as exc:
        raise Refused(str(exc)) from None
    try:
        seeded = demo.seed_if_empty(ctx.w3, ctx.escrow, ctx.out.line)
    except VaultNotDeployed as exc:  # a registry from before the vault: deploy says how
        raise Refused(str(exc)) from None
    return ctx.document(
        seeded=[{"id": c.id, "title": c.title, "state": c.expected_state} for c in seeded],
    )


def register(commands: _SubParsersAction[Any], parents: dict[str, ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        parents=[parents["output"], parents["network"]],
        help="seed the local chain's escrow with demo campaigns (once)",
        description="Create demo campaigns in every state a backer meets (funded, failed, active, "
        "cancelled, one in the demo token DMT, one paid in tranches through the milestone vault) with "
        "anvil's dev accounts, moving the chain's clock two "
        "days on. Only on the local development chain (31337), and only while the escrow holds no "
        "campaign: otherwise it says so and does nothing.",
    )
    parser.set_defaults(run=run)
