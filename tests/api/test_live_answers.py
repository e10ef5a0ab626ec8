"""On a live chain a new block does not make every campaign's answer cost a node read: an
answer whose campaign no event touched is carried to the next block, with what time
changes (the state, seconds left, the block) worked out again. Checked against the node's
own getCampaign and a gateway that reads everything afresh."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.gateway import gateway, wait_indexed
from support.proxy import RpcProxy
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow

HOUR = 3600


def detail(api: httpx.Client, campaign_id: int) -> dict[str, object]:
    response = api.get(f"/campaigns/{campaign_id}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_an_untouched_campaign_is_carried_to_the_next_block_and_its_time_moves_on(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy
) -> None:
    w3, escrow, registry = chain
    creator, alice = w3.eth.accounts[:2]
    deadline = w3.eth.get_block("latest")["timestamp"] + HOUR
    quiet = escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri="ipfs://q")
    escrow.pledge(alice, quiet, ETHER // 2)
    with (
        gateway(proxy.url, registry) as api,
        gateway(w3.provider.endpoint_uri, registry, READ_CACHE="false") as fresh,  # type: ignore[attr-defined]
    ):
        wait_indexed(api, w3.eth.block_number)
        before = detail(api, quiet)
        assert before["state"] == "active"

        # A pledge to campaign 1 only, an hour later: campaign `quiet` passes its deadline
        # without an event of its own.
        w3.provider.make_request("evm_increaseTime", [2 * HOUR])  # type: ignore[arg-type]
        receipt = escrow.pledge(alice, 1, ETHER)
        for client in (api, fresh):
            wait_indexed(client, receipt["blockNumber"])
        calls = proxy.count("eth_call")
        after = detail(api, quiet)
        assert proxy.count("eth_call") == calls, "the untouched campaign was read from the node again"
        assert after["block"] != before["block"]
        assert after["block"]["number"] == receipt["blockNumber"]  # type: ignore[index]
        assert after["state"] == "failed"
        assert after["seconds_left"] == 0
        assert escrow.campaign(quiet, receipt["blockNumber"]).state.word == "failed"
        assert after == detail(fresh, quiet)

        # The touched campaign is read again, and shows the new pledge.
        touched = detail(api, 1)
        assert proxy.count("eth_call") > calls
        assert touched["pledged"] == str(2 * ETHER)
        assert touched == detail(fresh, 1)
