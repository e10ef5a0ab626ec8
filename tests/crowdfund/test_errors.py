"""A transaction the escrow refuses is reported in words, with the rule's values."""

from __future__ import annotations

import pytest
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.transactions import TransactionRejected

ETHER = 10**18


def test_pledge_after_deadline_names_campaign_and_close_time(w3: Web3, escrow: Escrow) -> None:
    creator, backer = w3.eth.accounts[:2]
    now = w3.eth.get_block("latest")["timestamp"]
    campaign_id = escrow.create_campaign(creator, goal=ETHER, deadline=now + 100, metadata_uri="ipfs://x")
    w3.provider.make_request("evm_increaseTime", [200])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    with pytest.raises(TransactionRejected) as info:
        escrow.pledge(backer, campaign_id, ETHER)

    assert info.value.error is not None
    assert info.value.error.name == "PledgesClosed"
    assert info.value.error.args["deadline"] == now + 100
    assert str(info.value).startswith(f"campaign {campaign_id} closed for pledges at ")
    assert escrow.pledge_of(campaign_id, backer) == 0


def test_claim_by_someone_else_names_the_creator(w3: Web3, escrow: Escrow) -> None:
    creator, stranger = w3.eth.accounts[:2]
    now = w3.eth.get_block("latest")["timestamp"]
    campaign_id = escrow.create_campaign(creator, goal=ETHER, deadline=now + 100, metadata_uri="ipfs://x")

    with pytest.raises(TransactionRejected, match=f"only the creator {creator} of campaign {campaign_id}"):
        escrow.claim(stranger, campaign_id)


def test_unknown_campaign(w3: Web3, escrow: Escrow) -> None:
    with pytest.raises(TransactionRejected, match="campaign 42 does not exist"):
        escrow.refund(w3.eth.accounts[1], 42)
