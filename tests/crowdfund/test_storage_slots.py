"""crowdfund.proofs against a real escrow on anvil: the slots it computes are where the
escrow keeps its campaigns and pledges (read with eth_getStorageAt, decoded, compared with
getCampaign and pledgeOf), and its trie walk accepts anvil's own proofs, shows what is
absent, and refuses a proof with a node altered. The header hash is the chain's."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from crowdfund.demo import DAY, ETHER, deploy_demo_token
from crowdfund.escrow import ETH, Escrow
from crowdfund.proofs import (
    CAMPAIGN_FIELDS,
    ProofInvalid,
    decode_campaign_slots,
    header_hash,
    proved_account,
    proved_slot,
    slot_of_pledge,
    slots_of_campaign,
)
from crowdfund.transactions import send


def storage_at(w3: Web3, address: str, slot: int, block: int | str = "latest") -> int:
    return int.from_bytes(w3.eth.get_storage_at(Web3.to_checksum_address(address), slot, block), "big")


def raw_proof(w3: Web3, address: str, slots: list[int], block: int | str = "latest") -> dict[str, Any]:
    tag = hex(block) if isinstance(block, int) else block
    answer = w3.provider.make_request(  # type: ignore[arg-type]
        "eth_getProof", [address, [f"0x{s:064x}" for s in slots], tag]
    )
    result: dict[str, Any] = answer["result"]
    return result


def nodes(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h[2:]) for h in hexes]


def state_root(w3: Web3, block: int | str = "latest") -> bytes:
    return bytes(w3.eth.get_block(block)["stateRoot"])


@pytest.fixture
def campaigns(w3: Web3, escrow: Escrow) -> dict[str, int]:
    """Campaigns that set every field: ETH and uncapped; a token with a cap and a delayed
    start; cancelled; claimed."""
    creator, alice, bob = w3.eth.accounts[:3]
    now = int(w3.eth.get_block("latest")["timestamp"])
    ids = {
        "plain": escrow.create_campaign(creator, goal=5 * ETHER, deadline=now + 10 * DAY, metadata_uri="p")
    }
    escrow.pledge(alice, ids["plain"], ETHER)
    escrow.pledge(bob, ids["plain"], 2 * ETHER)
    token = deploy_demo_token(w3, creator)
    ids["token"] = escrow.create_campaign(
        bob, goal=100 * ETHER, cap=300 * ETHER, starts_at=now + DAY, deadline=now + 20 * DAY,
        metadata_uri="t", token=token,
    )  # fmt: skip
    ids["cancelled"] = escrow.create_campaign(creator, goal=ETHER, deadline=now + 5 * DAY, metadata_uri="c")
    escrow.cancel(creator, ids["cancelled"])
    ids["claimed"] = escrow.create_campaign(alice, goal=ETHER, deadline=now + 2 * DAY, metadata_uri="k")
    escrow.pledge(bob, ids["claimed"], 2 * ETHER)
    w3.provider.make_request("evm_increaseTime", [3 * DAY])  # type: ignore[arg-type]
    escrow.claim(alice, ids["claimed"])
    return ids


def test_the_slots_of_every_campaign_decode_to_what_get_campaign_returns(
    w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    for name, campaign_id in campaigns.items():
        words = [storage_at(w3, escrow.address, slot) for slot in slots_of_campaign(campaign_id)]
        stored = decode_campaign_slots(words)
        viewed = escrow.campaign(campaign_id)
        for field in CAMPAIGN_FIELDS:
            assert getattr(stored, field) == getattr(viewed, field), (name, field)
        assert stored.exists
    token = escrow.campaign(campaigns["token"])
    # The fields the other campaigns leave at zero are really read from their slots.
    assert (token.cap, token.token != ETH, token.creator) == (300 * ETHER, True, w3.eth.accounts[2])
    assert escrow.campaign(campaigns["claimed"]).claimed and escrow.campaign(campaigns["cancelled"]).cancelled
    # An id never created has no deadline: the escrow's own test of existence.
    never = decode_campaign_slots([storage_at(w3, escrow.address, s) for s in slots_of_campaign(99)])
    assert not never.exists


def test_the_pledge_slot_holds_what_pledge_of_returns(
    w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    _, alice, bob = w3.eth.accounts[:3]
    plain = campaigns["plain"]
    for backer, amount in ((alice, ETHER), (bob, 2 * ETHER), (w3.eth.accounts[5], 0)):
        assert storage_at(w3, escrow.address, slot_of_pledge(plain, backer)) == amount
        assert escrow.pledge_of(plain, backer) == amount


def test_anvil_s_proofs_verify_against_the_state_root_inclusion_and_exclusion(
    w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    plain = campaigns["plain"]
    slots = [*slots_of_campaign(plain), slot_of_pledge(plain, w3.eth.accounts[1]), slot_of_pledge(plain, ETH)]
    block = w3.eth.block_number
    answer = raw_proof(w3, escrow.address, slots, block)
    account = proved_account(state_root(w3, block), escrow.address, nodes(answer["accountProof"]))
    assert account is not None
    assert account.storage_root == bytes.fromhex(answer["storageHash"][2:])
    assert account.balance == w3.eth.get_balance(Web3.to_checksum_address(escrow.address), block)
    values = [
        proved_slot(account.storage_root, slot, nodes(entry["proof"]))
        for slot, entry in zip(slots, answer["storageProof"], strict=True)
    ]
    # Slots 2 and 3 (token and cap) of an ETH campaign were never written: proved absent, 0.
    assert values == [storage_at(w3, escrow.address, s, block) for s in slots]
    assert values[2:4] == [0, 0] and values[4] == ETHER and values[5] == 0
    assert decode_campaign_slots(values[:4]).pledged == 3 * ETHER

    # An account that never existed is proved absent too.
    nobody = "0x00000000000000000000000000000000DeaDBeef"
    absent = raw_proof(w3, nobody, [], block)
    assert proved_account(state_root(w3, block), nobody, nodes(absent["accountProof"])) is None


def test_a_proof_with_one_node_altered_or_for_another_root_is_refused(
    w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    block = w3.eth.block_number
    slot = slots_of_campaign(campaigns["plain"])[0]
    answer = raw_proof(w3, escrow.address, [slot], block)
    root = state_root(w3, block)
    account_nodes = nodes(answer["accountProof"])
    for depth in range(len(account_nodes)):
        altered = list(account_nodes)
        node = bytearray(altered[depth])
        node[-3] ^= 0x01
        altered[depth] = bytes(node)
        with pytest.raises(ProofInvalid, match="a node is missing or was altered"):
            proved_account(root, escrow.address, altered)
    storage_root = bytes.fromhex(answer["storageHash"][2:])
    storage_nodes = nodes(answer["storageProof"][0]["proof"])
    with pytest.raises(ProofInvalid):
        proved_slot(storage_root, slot, storage_nodes[:-1])  # the last node left out
    # The same proof against the state of an earlier block (the escrow's storage moved since).
    with pytest.raises(ProofInvalid):
        proved_account(state_root(w3, block - 3), escrow.address, account_nodes)


def test_a_header_hashes_to_its_block_hash_with_every_field_the_node_sends(w3: Web3, escrow: Escrow) -> None:
    send(w3, w3.eth.accounts[0], {"to": w3.eth.accounts[1], "value": 1})
    for number in (0, w3.eth.block_number):
        header = w3.provider.make_request("eth_getBlockByNumber", [hex(number), False])["result"]  # type: ignore[arg-type]
        # anvil runs the latest fork: the fields of London to Prague are all there.
        assert "requestsHash" in header and "parentBeaconBlockRoot" in header
        assert "0x" + header_hash(header).hex() == header["hash"]
        changed = {**header, "stateRoot": "0x" + "11" * 32}
        assert "0x" + header_hash(changed).hex() != header["hash"]
    with pytest.raises(ProofInvalid, match="no withdrawalsRoot, but fields of later forks"):
        header_hash({k: v for k, v in header.items() if k != "withdrawalsRoot"})
