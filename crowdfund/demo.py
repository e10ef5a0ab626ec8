"""Seed a local chain with demo campaigns in every state a backer meets.

Only for local development chains. Some campaigns must have ended, so time must pass
between creating them and now: `make run` starts a new chain three days in the past
(anvil --timestamp), the ended campaigns are created there, and `crowdfund demo` then
brings the clock to the machine's time, so that "now" on the chain, in the CLI and on the
page agree. On a chain that is not behind, and when `seed` is called directly (tests whose
chain starts at a fixed time, for fixed dates), the clock moves two days on instead. It
deploys the demo token from the package's artifact and gives every dev account some of it.
One campaign goes through the milestone vault recorded beside the escrow: it ends funded,
and its first tranche (due at the deadline) is released once the clock has moved.

Every campaign links to a real metadata document (title, summary, Markdown story, image,
reward tiers) and two carry an update document, all from demo_content/ in this package,
read as `crowdfund create --metadata FILE.json` reads a local document and named by their
CIDs. They are written into a content folder (the gateway's CONTENT_DIR) rather than
published: seeding runs before `make run` starts the gateway, which then serves them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from crowdfund import artifacts
from crowdfund.content import FolderStore
from crowdfund.escrow import Escrow
from crowdfund.metadata import campaign_metadata, update_document
from crowdfund.networks import LOCAL_CHAIN_ID
from crowdfund.publication import DocumentKind, Publication, prepare
from crowdfund.schedule import Tranche
from crowdfund.transactions import send
from crowdfund.vault import Vault

DAY = 86_400
ETHER = 10**18
DEV_TOKENS = 1_000 * ETHER  # demo tokens for each of anvil's dev accounts
# The demo's documents and images, shipped with the package.
DEMO_CONTENT = Path(__file__).with_name("demo_content")


@dataclass(frozen=True)
class DemoCampaign:
    id: int
    title: str
    expected_state: str
    metadata_uri: str


class NotLocalChain(Exception):
    def __init__(self, chain_id: int) -> None:
        super().__init__(
            f"demo campaigns are only for the local development chain (chain id {LOCAL_CHAIN_ID}); "
            f"this is chain {chain_id}"
        )


def require_local_chain(w3: Web3) -> None:
    chain_id = w3.eth.chain_id
    if chain_id != LOCAL_CHAIN_ID:
        raise NotLocalChain(chain_id)


def demo_token_abi() -> list[dict[str, Any]]:
    """The demo token's ABI: an ERC-20 with EIP-2612 permits and an open `mint`."""
    return artifacts.load(artifacts.DEMO_TOKEN)["abi"]


def deploy_demo_token(w3: Web3, deployer: str) -> str:
    """Deploy contracts/demo/DemoToken.sol as "Demo Maker Token" (DMT, 18 decimals)."""
    artifact = artifacts.load(artifacts.DEMO_TOKEN)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    data = factory.constructor("Demo Maker Token", "DMT", 18).data_in_transaction
    receipt = send(w3, deployer, {"data": data})
    return str(receipt["contractAddress"])


def seed_if_empty(
    w3: Web3, escrow: Escrow, content: FolderStore, log: Callable[[str], None] = print
) -> list[DemoCampaign]:
    """Seed the demo campaigns on the local chain when the escrow holds none yet, their
    documents and images into `content`; returns those seeded (none when the escrow already
    had campaigns)."""
    require_local_chain(w3)
    count = escrow.campaign_count()
    if count:
        log(f"the escrow already holds {count} campaigns; no demo seeding needed")
        return []
    log("seeding demo campaigns:")
    return seed(w3, escrow, content, log, until_now=True)


def store(content: FolderStore, name: str, kind: DocumentKind) -> Publication:
    """demo_content/`name`.json with its image, written into `content` by their CIDs."""
    publication = prepare(DEMO_CONTENT / f"{name}.json", kind)
    for part in publication.parts:
        content.put(part.content.cid, part.content.data)
    return publication


def seed(
    w3: Web3,
    escrow: Escrow,
    content: FolderStore,
    log: Callable[[str], None] = print,
    *,
    until_now: bool = False,
) -> list[DemoCampaign]:
    """Create the demo campaigns with anvil's dev accounts, their documents and images
    written into `content`; returns them with their ids. `until_now`: bring the clock to the
    machine's time after the ended campaigns, when the chain is far enough behind it
    (`make run`); else the clock moves two days on, which keeps a chain started at a fixed
    time (the page's tests) at fixed dates. The milestone vault is the one the registry
    records beside the escrow."""
    vault = Vault.from_registry(w3)  # before anything is sent: a registry without one stops here
    accounts = list(w3.eth.accounts)
    creator, alice, bob, carol = accounts[0], accounts[1], accounts[2], accounts[3]
    seeded: list[DemoCampaign] = []

    def now() -> int:
        return int(w3.eth.get_block("latest")["timestamp"])

    def described(name: str) -> tuple[str, str]:
        """The link and title of the campaign document demo_content/`name`.json, stored."""
        publication = store(content, name, "campaign")
        return publication.uri, campaign_metadata(publication.document.content.data).title

    def create(name: str, state: str, goal: int, days: int, **kw: object) -> int:
        uri, title = described(name)
        campaign_id = escrow.create_campaign(
            creator,
            goal=goal,
            deadline=now() + days * DAY,
            metadata_uri=uri,
            **kw,  # type: ignore[arg-type]
        )
        seeded.append(DemoCampaign(campaign_id, title, state, uri))
        log(f"  campaign {campaign_id}: {title} ({state})")
        return campaign_id

    def post_update(campaign_id: int, name: str) -> None:
        update = store(content, name, "update")
        escrow.post_update(creator, campaign_id, update.uri)
        title = update_document(update.document.content.data).title
        log(f"  campaign {campaign_id} posts an update: {title!r}")

    # Campaigns that will have ended: created first, then the clock moves on past their
    # deadlines: to the machine's time when the chain is far enough behind it, else ahead.
    behind = int(time.time()) - now()
    zine = create("zine-printing-run", "Succeeded", 2 * ETHER, 1)
    escrow.pledge(alice, zine, 1 * ETHER)
    escrow.pledge(bob, zine, ETHER + ETHER // 2)
    cafe = create("repair-cafe-tools", "Failed", 5 * ETHER, 1)
    escrow.pledge(carol, cafe, ETHER)
    escrow.pledge(alice, cafe, ETHER // 2)
    # Paid in three tranches: at the deadline, then 60 and 120 days on. The vault is the
    # escrow's creator; the dev account that created it through the vault is paid.
    deadline = now() + DAY
    schedule = (
        Tranche(deadline, 4000),
        Tranche(deadline + 60 * DAY, 3000),
        Tranche(deadline + 120 * DAY, 3000),
    )
    bikes_uri, bikes_title = described("neighbourhood-bike-workshop")
    bikes = vault.create_campaign(
        creator, schedule, goal=3 * ETHER, deadline=deadline, metadata_uri=bikes_uri
    )
    # The escrow says Claimed once the vault has collected the funds (the release below).
    seeded.append(DemoCampaign(bikes, bikes_title, "Claimed", bikes_uri))
    log(f"  campaign {bikes}: {bikes_title} (Claimed), paid through the milestone vault: 40% at")
    log("    the deadline, released once it passed, then 30% 60 days and 30% 120 days after it")
    escrow.pledge(alice, bikes, ETHER + ETHER // 2)
    escrow.pledge(bob, bikes, ETHER)
    escrow.pledge(carol, bikes, ETHER)
    if until_now and behind > 2 * DAY:
        w3.provider.make_request("evm_setNextBlockTimestamp", [int(time.time())])  # type: ignore[arg-type]
    else:
        w3.provider.make_request("evm_increaseTime", [2 * DAY])  # type: ignore[arg-type]
        if until_now:
            log("  (the chain's clock now runs two days ahead of the machine's, for the ended campaigns)")
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    # Past its deadline, anyone may release what is due: the vault collects the funds and
    # pays the first tranche; the other two stay upcoming.
    vault.release(carol, bikes)
    # News from a funded campaign, with a picture.
    post_update(zine, "zine-first-copies")

    garden = create("community-garden", "Active", 10 * ETHER, 30)
    escrow.pledge(alice, garden, 3 * ETHER)
    escrow.pledge(bob, garden, 2 * ETHER)
    post_update(garden, "garden-first-beds")
    film = create("open-air-film-night", "Cancelled", 3 * ETHER, 20)
    escrow.pledge(carol, film, ETHER // 2)
    escrow.cancel(creator, film)

    token = deploy_demo_token(w3, creator)
    log(f"  demo token DMT at {token}")
    tools = create("makerspace-tool-library", "Active", 1_000 * ETHER, 45, token=token, cap=1_500 * ETHER)
    token_contract = w3.eth.contract(address=Web3.to_checksum_address(token), abi=demo_token_abi())
    for account in accounts:
        mint = token_contract.functions.mint(account, DEV_TOKENS)._encode_transaction_data()
        send(w3, creator, {"to": token, "data": mint})
    devs = f"dev0 to dev{len(accounts) - 1}"
    log(f"  {DEV_TOKENS // ETHER:,} DMT for each dev account ({devs}), to pledge with")
    for backer, amount in ((alice, 250 * ETHER), (bob, 150 * ETHER)):
        send(
            w3,
            backer,
            {
                "to": token,
                "data": token_contract.functions.approve(escrow.address, amount)._encode_transaction_data(),
            },
        )
        escrow.pledge(backer, tools, amount, eth=False)
    log(
        f"  their documents and images (ipfs:// links) are in {content.folder}, where the gateway serves them"
    )
    return seeded
