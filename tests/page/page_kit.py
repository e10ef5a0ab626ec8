"""Fixtures for the backer page: anvil with the demo campaigns and their content, the
gateway serving the page, and headless Chromium (Debian's) with a test wallet injected.

The chain and the gateway are shared by the whole directory; each test works on its own
campaign or its own account, so the order of tests does not matter.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Locator, Page, expect, sync_playwright
from support.chain import anvil
from support.gateway import gateway, wait_indexed
from web3 import Web3

from crowdfund.content import FolderStore, cid_of, uri_of
from crowdfund.demo import DAY, ETHER, demo_token_abi, seed
from crowdfund.deploy import deploy_escrow, deploy_vault
from crowdfund.escrow import Escrow
from crowdfund.transactions import send
from crowdfund.vault import Vault

# A loaded CI machine (2 cores, the rest of the suite before) gets some slack.
expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WALLET_JS = (Path(__file__).parent / "wallet.js").read_text()
GENESIS = 1_772_463_600  # 2026-03-02 15:00 UTC
LOCAL = re.compile(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?/|data:|about:)")
TIMEZONE = "America/New_York"  # not the machine's: times must follow the viewer's zone


@dataclass
class Demo:
    """The chain the page tests share: the escrow and its milestone vault, the demo campaigns
    by title, and more."""

    w3: Web3
    registry: Path
    escrow: Escrow
    vault: Vault
    ids: dict[str, int]
    token: str
    content_dir: Path  # the demo's documents and images, the gateway's CONTENT_DIR
    accounts: list[str] = field(default_factory=list)
    gateway_url: str = ""  # set once the gateway runs

    @property
    def rpc_url(self) -> str:
        return str(self.w3.provider.endpoint_uri)  # type: ignore[attr-defined]

    def publish(self, data: bytes) -> str:
        """Store `data` in the gateway's content folder, as `crowdfund demo` does; its
        ipfs:// link. Publish before the link goes on chain: the gateway looks a CID up
        when an answer first shows it."""
        cid = cid_of(data)
        FolderStore(self.content_dir).put(cid, data)
        return uri_of(cid)

    def describe(self, title: str, summary: str, **more: Any) -> str:
        """The link of a campaign document {title, summary, ...more}, published."""
        return self.publish(json.dumps({"title": title, "summary": summary, **more}).encode())

    def retire(self, campaign_id: int) -> None:
        """Cancel a campaign a test made and no longer needs (created by accounts[0]): the
        tests that look for the demo's campaigns in the first page of active ones (12) find
        them there whatever ran before."""
        self.escrow.cancel(self.accounts[0], campaign_id)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def travel(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def indexed(self) -> None:
        """Wait until the gateway has indexed the chain's latest block."""
        with httpx.Client(base_url=self.gateway_url, timeout=10) as client:
            wait_indexed(client, self.w3.eth.block_number)

    def mint(self, to: str, amount: int) -> None:
        token = self.w3.eth.contract(address=Web3.to_checksum_address(self.token), abi=demo_token_abi())
        send(
            self.w3,
            to,
            {"to": self.token, "data": token.functions.mint(to, amount)._encode_transaction_data()},
        )


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed: `apt-get install chromium` (make system-packages does it)")
    return path


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    registry = tmp_path_factory.mktemp("deployments")
    # A fixed genesis time: the chain's dates, and so the screenshots, stay the same.
    with anvil(None, "--timestamp", str(GENESIS)) as w3, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CROWDFUND_DEPLOYMENTS", str(registry))
        deploy_vault(w3, w3.eth.accounts[0], deploy_escrow(w3, w3.eth.accounts[0]))
        escrow, vault = Escrow.from_registry(w3), Vault.from_registry(w3)
        content = FolderStore(tmp_path_factory.mktemp("content"))
        seeded = seed(w3, escrow, content, log=lambda _: None)
        ids = {c.title: c.id for c in seeded}
        creator = w3.eth.accounts[0]
        token = escrow.campaign(ids["Makerspace tool library"]).token
        demo = Demo(w3, registry, escrow, vault, ids, token, content.folder, list(w3.eth.accounts))
        ids["Bike repair stand"] = escrow.create_campaign(
            creator,
            goal=ETHER,
            cap=2 * ETHER,
            deadline=int(w3.eth.get_block("latest")["timestamp"]) + 20 * DAY,
            metadata_uri=demo.describe("Bike repair stand", "A public stand with tools and a pump."),
        )
        yield demo


@pytest.fixture(scope="session")
def gateway_url(demo: Demo) -> Iterator[str]:
    with gateway(demo.rpc_url, demo.registry, CONTENT_DIR=str(demo.content_dir)) as client:
        wait_indexed(client, demo.w3.eth.block_number)
        demo.gateway_url = str(client.base_url).rstrip("/")
        yield demo.gateway_url


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


Visit = Callable[..., Page]


def short(address: str) -> str:
    """An address or hash as the page abbreviates it."""
    return f"{address[:6]}…{address[-4:]}"


def local_input(timestamp: int) -> str:
    """A datetime-local value in the browser's time zone."""
    return datetime.fromtimestamp(timestamp, ZoneInfo(TIMEZONE)).strftime("%Y-%m-%dT%H:%M")


def status_of(page: Page) -> Locator:
    """The transaction status line of the campaign's action panel."""
    return page.locator("#your-part [role=status]")


def goal_percent(page: Page) -> float:
    return float(page.locator(".numbers .bar-goal progress").get_attribute("data-percent") or "nan")


def percent(pledged: int, goal: int) -> float:
    """The page's figure: tenths of a percent, rounded down."""
    return pledged * 1000 // goal / 10


@pytest.fixture
def visit(browser: Browser, gateway_url: str, demo: Demo) -> Iterator[Visit]:
    """visit(path, account=None, wallet=True, wallet_chain=None, known_chains=None, phone=False):
    a fresh browser profile on the page, with the test wallet for `account` (an index into
    anvil's dev accounts) unless wallet=False. Fails the test on any error in the page."""
    errors: list[str] = []
    elsewhere: list[str] = []
    contexts = []

    def open_page(
        path: str = "/",
        *,
        account: int = 0,
        wallet: bool = True,
        wallet_chain: int | None = None,
        known_chains: list[int] | None = None,
        phone: bool = False,
    ) -> Page:
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(
            viewport=size, locale="en-US", timezone_id=TIMEZONE, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        if wallet:
            config = {
                "rpcUrl": demo.rpc_url,
                "account": demo.accounts[account],
                "chainId": demo.w3.eth.chain_id,
                "walletChainId": wallet_chain,
                "knownChains": known_chains,
            }
            context.add_init_script(f"window.__testWalletConfig = {json.dumps(config)};\n{WALLET_JS}")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: errors.append(f"{exc}"))

        def console(message: ConsoleMessage) -> None:
            # Answers such as a 409 or a missing content are expected and handled;
            # the browser logs them all the same.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                errors.append(message.text)

        page.on("console", console)
        # Everything the page loads comes from this machine: the gateway, and the node the
        # test wallet speaks to. A CDN or font service here would break the page offline.
        page.on(
            "request",
            lambda request: None if LOCAL.match(request.url) else elsewhere.append(request.url),
        )
        page.goto(gateway_url + path)
        return page

    yield open_page
    for context in contexts:
        try:
            context.close()
        except Error:
            pass
    assert not errors, f"errors in the page: {errors}"
    assert not elsewhere, f"the page reached beyond this machine: {elsewhere}"
