"""`crowdfund demo`: seed the local chain with demo campaigns, once (used by `make run`)."""

from __future__ import annotations

import os
from argparse import ArgumentParser, _SubParsersAction
from pathlib import Path
from typing import Any

from crowdfund import demo
from crowdfund.cli.context import Context, Refused
from crowdfund.content import DEFAULT_CONTENT_DIR, ContentStoreUnavailable, FolderStore
from crowdfund.vault import VaultNotDeployed


def run(ctx: Context) -> dict[str, Any]:
    try:
        demo.require_local_chain(ctx.w3)  # before the escrow, which may not be recorded there
    except demo.NotLocalChain as exc:
        raise Refused(str(exc)) from None
    content = FolderStore(Path(ctx.args.content_dir))
    try:
        seeded = demo.seed_if_empty(ctx.w3, ctx.escrow, content, ctx.out.line)
    # A registry from before the vault (deploy says how), or a content folder that cannot be
    # written (checked at the first document, before anything is sent).
    except (VaultNotDeployed, ContentStoreUnavailable) as exc:
        raise Refused(str(exc)) from None
    return ctx.document(
        seeded=[
            {"id": c.id, "title": c.title, "state": c.expected_state, "metadata_uri": c.metadata_uri}
            for c in seeded
        ],
        content_dir=str(content.folder),
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
        "campaign: otherwise it says so and does nothing. Each campaign links to a metadata document "
        "(title, story, image, reward tiers) by its ipfs:// CID, and two carry an update; the documents "
        "and images are written into the gateway's content folder, which a gateway started afterwards "
        "serves (one whose content store is PostgreSQL does not read it: publish its files there with "
        "`crowdfund publish`).",
    )
    parser.add_argument(
        "--content-dir",
        metavar="DIR",
        # The gateway's setting, so that `crowdfund demo` then `crowdfund serve` agree.
        default=os.environ.get("CONTENT_DIR", str(DEFAULT_CONTENT_DIR)),
        help="the gateway's content folder (default $CONTENT_DIR, as for the gateway, else "
        f"{DEFAULT_CONTENT_DIR})",
    )
    parser.set_defaults(run=run)
