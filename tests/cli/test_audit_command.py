"""`crowdfund audit` against a real deployment on anvil: campaigns in every state add up;
ETH forced into the escrow is a surplus note; a token that shrinks the escrow's balance
after the pledges is a shortfall finding; a second audit fetches only the new blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import DAY, ETHER, Cli, advance, created_id, dev, run_cli
from support.proxy import rpc_proxy
from web3 import Web3

from crowdfund import deployments
from crowdfund.compiler import compile_files
from crowdfund.escrow import ETH, Escrow
from crowdfund.project import ROOT
from crowdfund.transactions import send

FORCE_FEEDER = ROOT / "tests" / "contracts" / "solidity" / "ForceFeeder.sol"
SHRINKING_TOKEN = Path(__file__).with_name("solidity") / "ShrinkingToken.sol"
SHR = 10**18


@dataclass(frozen=True)
class Scene:
    campaigns: dict[str, int]  # by the state each was left in
    token: Any  # the ShrinkingToken, pledged to in campaign "token"
    cache: Path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CROWDFUND_CACHE_DIR", str(folder))
        yield folder


def ok(run: Any) -> None:
    assert run.code == 0, run.text


@pytest.fixture(scope="module")
def scene(w3: Web3, cli: Cli, escrow: Escrow, cache: Path) -> Scene:
    """A campaign in each state an auditor meets, through the command line as users make them."""
    artifact = compile_files(FORCE_FEEDER, SHRINKING_TOKEN)["ShrinkingToken"]
    token = w3.eth.contract(
        address=send(w3, dev(w3, 0), {"data": artifact["bytecode"]})["contractAddress"], abi=artifact["abi"]
    )
    for backer in (dev(w3, 1), dev(w3, 2)):
        send(w3, backer, {"to": token.address, "data": token.encode_abi("mint", [backer, 100 * SHR])})

    def create(*args: str) -> int:
        return created_id(cli("create", "--metadata", "ipfs://a", *args, "--json"))

    ids = {
        "active": create("--goal", "5", "--deadline", "30d"),
        "succeeded": create("--goal", "1", "--deadline", "2d"),
        "claimed": create("--goal", "1", "--deadline", "2d"),
        "refunded": create("--goal", "10", "--deadline", "2d"),
        "cancelled": create("--goal", "10", "--deadline", "2d"),
        "token": create("--goal", "50", "--deadline", "30d", "--token", token.address),
        "released": create("--goal", "1", "--deadline", "2d", "--milestones", "50%@end,50%@+60d"),
        "halted": create("--goal", "1", "--deadline", "2d", "--milestones", "25%@end,75%@+60d"),
    }
    for name, amounts in {
        "active": ("1", "2"),
        "succeeded": ("1", "0.5"),
        "claimed": ("2", "1"),
        "refunded": ("1", "3"),
        "cancelled": ("1", "1"),
        "token": ("20", "30"),
        "released": ("1", "2"),
        "halted": ("1", "2.5"),
    }.items():
        for account, amount in zip(("dev1", "dev2"), amounts, strict=True):
            ok(cli("pledge", str(ids[name]), amount, "--account", account))
    ok(cli("unpledge", str(ids["active"]), "0.5", "--account", "dev2"))
    ok(cli("cancel", str(ids["cancelled"]), "--yes"))
    ok(cli("refund", str(ids["cancelled"]), "--account", "dev1"))
    advance(w3, 2 * DAY + 60)
    ok(cli("claim", str(ids["claimed"])))
    ok(cli("refund", str(ids["refunded"]), "--account", "dev2"))
    ok(cli("release", str(ids["released"]), "--account", "dev3"))
    ok(cli("release", str(ids["halted"]), "--account", "dev3"))
    for account in ("dev1", "dev2"):
        ok(cli("object", str(ids["halted"]), "--account", account))
    ok(cli("refund", str(ids["halted"]), "--account", "dev1"))
    return Scene(ids, token, cache)


def test_campaigns_in_every_state_add_up(cli: Cli, w3: Web3, scene: Scene) -> None:
    said = cli("audit")
    assert said.code == 0, said.text
    assert (
        said.out.splitlines()[-1]
        == f"clean: every campaign, pledge and balance adds up at block {w3.eth.block_number:,}"
    )
    assert "FINDING" not in said.out and "note:" not in said.out

    report = cli("audit", "--json").json
    assert set(report) >= {
        "network", "chain_id", "escrow", "vault", "block", "block_hash", "deployment_block", "clean",
        "counts", "assets", "findings", "notes", "logs", "seconds",
    }  # fmt: skip
    assert report["clean"] is True and report["findings"] == [] and report["notes"] == []
    assert isinstance(report["seconds"], float)
    counts = report["counts"]
    assert (counts["campaigns"], counts["vault_campaigns"], counts["backers"]) == (8, 2, 2)
    assert counts["by_event"]["Pledged"] == 16
    assert counts["by_event"]["Refunded"] == 2 and counts["by_event"]["Unpledged"] == 1
    assert counts["by_event"]["Claimed"] == 3  # one by its creator, two by the vault
    assert counts["by_event"]["vault Released"] == 2 and counts["by_event"]["vault RefundPaid"] == 1
    assert (
        counts["events"]
        == counts["escrow_events"] + counts["vault_events"]
        == sum(counts["by_event"].values())
    )
    assert report["block"] == w3.eth.block_number and report["chain_id"] == w3.eth.chain_id

    escrow = deployments.load(w3.eth.chain_id)
    figures = {(a["contract"], a["symbol"]): a for a in report["assets"]}
    # Held in the escrow: the active (1 + 1.5), succeeded (1.5), refunded's dev1 (1) and
    # cancelled's dev2 (1) ETH, and the token campaign's 50 SHR.
    eth = figures[("escrow", "ETH")]
    assert eth["expected"] == eth["balance"] == str(6 * ETHER) and eth["difference"] == "0"
    assert eth["balance"] == str(w3.eth.get_balance(escrow.address))
    assert figures[("escrow", "SHR")]["expected"] == str(50 * SHR)
    # The vault: 3 ETH released half, and 3.5 ETH of which a quarter was released and dev1
    # took its share of the rest back.
    vault = figures[("vault", "ETH")]
    assert vault["balance"] == vault["expected"] == str(w3.eth.get_balance(escrow.vault_address))
    assert int(vault["expected"]) > 0


def test_eth_forced_into_the_escrow_is_a_surplus_note(cli: Cli, w3: Web3, scene: Scene) -> None:
    feeder = compile_files(FORCE_FEEDER, SHRINKING_TOKEN)["ForceFeeder"]
    record = deployments.load(w3.eth.chain_id)
    escrow, vault = record.address, str(record.vault_address)
    before = w3.eth.get_balance(escrow)
    for target, value in ((escrow, 7 * 10**15), (vault, 10**15)):
        constructor = w3.eth.contract(abi=feeder["abi"], bytecode=feeder["bytecode"]).constructor(target)
        send(w3, dev(w3, 3), {"data": constructor.data_in_transaction, "value": value})
    assert w3.eth.get_balance(escrow) == before + 7 * 10**15

    said = cli("audit")
    assert said.code == 0, said.text
    assert (
        "note: surplus: the escrow holds 6.007 ETH, 0.007 ETH more than it owes (6 ETH): sent to it directly"
        in said.out
    )
    report = cli("audit", "--json").json
    assert report["clean"] is True and report["findings"] == []
    in_escrow, in_vault = report["notes"]
    assert (in_escrow["kind"], in_escrow["asset"], in_escrow["expected"], in_escrow["found"]) == (
        "surplus", ETH, str(6 * ETHER), str(6 * ETHER + 7 * 10**15),
    )  # fmt: skip
    assert (in_vault["kind"], int(in_vault["found"]) - int(in_vault["expected"])) == ("surplus", 10**15)
    assert in_vault["message"].startswith("surplus: the vault holds ")
    assert "0.001 ETH more than it must hold" in in_vault["message"]


def test_a_token_that_shrinks_the_escrow_s_balance_is_a_shortfall_finding(
    cli: Cli, w3: Web3, scene: Scene
) -> None:
    escrow = deployments.load(w3.eth.chain_id).address
    before = w3.eth.block_number
    send(
        w3,
        dev(w3, 0),
        {"to": scene.token.address, "data": scene.token.encode_abi("shrink", [escrow, 4 * SHR])},
    )

    said = cli("audit")
    assert said.code == 1, said.text
    campaign = scene.campaigns["token"]
    assert (
        f"FINDING: shortfall: the escrow holds 46 SHR of token {scene.token.address} but owes 50 SHR for "
        f"campaign {campaign}: short by 4 SHR" in said.out
    )
    assert said.out.splitlines()[-1] == f"1 finding at block {w3.eth.block_number:,}"
    report = cli("audit", "--json")
    assert report.code == 1
    (finding,) = report.json["findings"]
    assert finding == {
        "kind": "shortfall",
        "message": finding["message"],
        "campaign": campaign,
        "asset": scene.token.address,
        "expected": str(50 * SHR),
        "found": str(46 * SHR),
    }

    # At the block before the cut, the escrow held all of it.
    earlier = cli("audit", "--at", str(before), "--json")
    assert earlier.code == 0, earlier.text
    assert earlier.json["block"] == before
    token = next(a for a in earlier.json["assets"] if a["symbol"] == "SHR")
    assert token["balance"] == token["expected"] == str(50 * SHR)


def test_a_second_audit_fetches_only_the_blocks_it_lacks(
    cli: Cli, w3: Web3, rpc_url: str, scene: Scene
) -> None:
    record = deployments.load(w3.eth.chain_id)
    with rpc_proxy(rpc_url) as proxy:
        first = run_cli("audit", "--rpc-url", proxy.url, "--json")
        assert first.json["logs"]["cached_blocks"] > 0  # the tests above filled the cache
        before = proxy.count("eth_getLogs")
        assert first.json["logs"]["get_logs_requests"] == before
        # A few blocks later, with a pledge among them.
        ok(cli("pledge", str(scene.campaigns["active"]), "0.25", "--account", "dev3"))
        advance(w3, 60)
        second = run_cli("audit", "--rpc-url", proxy.url, "--json")
    assert second.json["block"] == first.json["block"] + 2
    # One request for the escrow's new blocks, one for the vault's.
    assert proxy.count("eth_getLogs") - before == second.json["logs"]["get_logs_requests"] == 2
    assert second.json["counts"]["by_event"]["Pledged"] == first.json["counts"]["by_event"]["Pledged"] + 1
    chunks = sorted((scene.cache / "logs" / f"{w3.eth.chain_id}-{record.address.lower()}").glob("*.json"))
    assert chunks[-1].name == f"{first.json['block'] + 1}-{second.json['block']}.json"


def test_the_cache_forgets_blocks_a_reorganisation_replaced(cli: Cli, w3: Web3, scene: Scene) -> None:
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    ok(cli("pledge", str(scene.campaigns["active"]), "0.25", "--account", "dev3"))
    counted = cli("audit", "--json").json["counts"]["by_event"]["Pledged"]
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    # Another block at the same height, without the pledge.
    advance(w3, 60)
    again = cli("audit", "--json")
    assert again.json["counts"]["by_event"]["Pledged"] == counted - 1
    assert again.json["findings"][0]["kind"] == "shortfall"  # the token's cut is still there


def test_usage_errors(cli: Cli, w3: Web3, scene: Scene) -> None:
    ahead = cli("audit", "--at", str(w3.eth.block_number + 5))
    assert ahead.code == 2 and "is not mined yet" in ahead.err
    before = cli("audit", "--at", "0")
    assert before.code == 2 and "comes before the escrow's deployment at block" in before.err
    assert cli("audit", "--at", "soon").code == 2


def test_a_range_or_a_batch_the_node_refuses_is_asked_again_in_halves(
    cli: Cli, w3: Web3, rpc_url: str, scene: Scene
) -> None:
    def at_most_eight_blocks(params: list[Any]) -> dict[str, Any] | None:
        span = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
        # As public nodes word it when a range holds too much.
        return {"error": {"code": -32005, "message": "query exceeds max block range 8"}} if span > 8 else None

    whole = cli("audit", "--no-cache", "--json").json
    with rpc_proxy(rpc_url) as proxy:
        proxy.reply("eth_getLogs", at_most_eight_blocks)
        proxy.batch_limit = 8  # as erigon refuses batches of more than 100 calls as a whole
        halved = run_cli("audit", "--no-cache", "--rpc-url", proxy.url, "--json").json
    assert halved["counts"] == whole["counts"] and halved["assets"] == whole["assets"]
    assert halved["clean"] is False  # the token's cut, as before
    blocks = whole["block"] - whole["deployment_block"] + 1
    assert halved["logs"]["get_logs_requests"] > 2 * (blocks // 8)
    assert proxy.refused_batches > 0


def pledge_slot(w3: Web3, escrow: str, campaign: int, backer: str) -> int:
    """Where the escrow keeps a pledge: `_pledges[id << 160 | backer]`, the mapping's own
    slot found by looking for the pledge's value (the layout is the compiler's)."""
    key = (campaign << 160 | int(backer, 16)).to_bytes(32, "big")
    pledge = Escrow(w3, escrow).pledge_of(campaign, backer)
    for mapping in range(8):
        slot = int.from_bytes(Web3.keccak(key + mapping.to_bytes(32, "big")), "big")
        if int.from_bytes(w3.eth.get_storage_at(Web3.to_checksum_address(escrow), slot), "big") == pledge:
            return slot
    raise AssertionError("no slot of the escrow holds the pledge")


def test_a_pledge_that_differs_from_its_events_is_a_finding_naming_the_campaign_and_the_backer(
    cli: Cli, w3: Web3, scene: Scene
) -> None:
    escrow, campaign, backer = (
        deployments.load(w3.eth.chain_id).address,
        scene.campaigns["active"],
        dev(w3, 1),
    )
    slot = pledge_slot(w3, escrow, campaign, backer)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        # One wei more in the pledge's storage than any event put there.
        value = "0x" + (ETHER + 1).to_bytes(32, "big").hex()
        w3.provider.make_request("anvil_setStorageAt", [escrow, hex(slot), value])  # type: ignore[arg-type]
        said = cli("audit")
        report = cli("audit", "--json").json
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    assert said.code == 1, said.text
    assert (
        f"FINDING: campaign {campaign}: pledgeOf({backer}) is 1.000000000000000001 ETH; its events add up "
        "to 1 ETH" in said.out
    )
    mismatch = next(f for f in report["findings"] if f["kind"] == "pledge mismatch")
    assert (mismatch["campaign"], mismatch["backer"], mismatch["asset"]) == (campaign, backer, ETH)
    assert (mismatch["expected"], mismatch["found"]) == (str(ETHER), str(ETHER + 1))


def test_an_interrupted_audit_resumes_where_it_stopped(
    w3: Web3, rpc_url: str, scene: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROWDFUND_CACHE_DIR", str(tmp_path))
    record = deployments.load(w3.eth.chain_id)
    stop = (record.block + w3.eth.block_number) // 2

    def nothing_after_stop(params: list[Any]) -> dict[str, Any] | None:
        reaches = int(params[0]["toBlock"], 16) > stop and int(params[0]["fromBlock"], 16) <= stop + 1
        return {"error": {"code": -32000, "message": "the node went away"}} if reaches else None

    with rpc_proxy(rpc_url) as proxy:
        proxy.reply("eth_getLogs", nothing_after_stop)
        cut = run_cli("audit", "--rpc-url", proxy.url)
        assert cut.code == 1
        assert f"the node refused the logs of block {stop + 1:,} of {record.address}" in cut.err
        proxy.heal()
        before = proxy.count("eth_getLogs")
        resumed = run_cli("audit", "--rpc-url", proxy.url, "--json").json
    assert resumed["logs"]["escrow"]["cached_blocks"] == stop - record.block + 1
    assert resumed["logs"]["escrow"]["get_logs_requests"] == 1  # the rest, in one range
    assert proxy.count("eth_getLogs") - before == resumed["logs"]["get_logs_requests"]
