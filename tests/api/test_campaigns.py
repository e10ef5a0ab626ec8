"""GET /campaigns and /campaigns/{id} answer what the chain holds, at the block they name."""

from __future__ import annotations

import httpx
from web3 import Web3

from crowdfund.escrow import Escrow


def test_list_is_newest_first_and_matches_the_chain(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    body = api.get("/campaigns", params={"limit": 100}).json()

    block = body["block"]
    assert w3.eth.get_block(block["number"])["hash"].to_0x_hex() == block["hash"]
    ids = [item["id"] for item in body["items"]]
    assert ids == sorted(campaigns.values(), reverse=True)
    assert body["next_cursor"] is None
    now = w3.eth.get_block(block["number"])["timestamp"]
    for item in body["items"]:
        chain = escrow.campaign(item["id"], block=block["number"])
        assert item["creator"] == chain.creator
        assert item["goal"] == str(chain.goal) and item["pledged"] == str(chain.pledged)
        assert item["cap"] == str(chain.cap)
        assert (item["starts_at"], item["deadline"]) == (chain.starts_at, chain.deadline)
        assert item["state"] == chain.state.name.lower()
        running = item["state"] in ("upcoming", "active")  # a cancelled campaign has no time left
        assert item["seconds_left"] == (max(0, chain.deadline - now) if running else 0)


def test_states_as_users_see_them(api: httpx.Client, campaigns: dict[str, int]) -> None:
    states = {
        item["id"]: item["state"] for item in api.get("/campaigns", params={"limit": 100}).json()["items"]
    }
    assert states[campaigns["failed"]] == "failed"
    assert states[campaigns["succeeded"]] == "succeeded"
    assert states[campaigns["active0"]] == "active"
    assert states[campaigns["cancelled"]] == "cancelled"


def test_state_filter(api: httpx.Client, campaigns: dict[str, int]) -> None:
    active = api.get("/campaigns", params={"state": "active"}).json()["items"]
    expected = {campaigns["active0"], campaigns["active1"], campaigns["active2"], campaigns["token"]}
    assert {item["id"] for item in active} == expected
    assert all(item["state"] == "active" for item in active)


def test_cursor_pages_cover_every_campaign_once(api: httpx.Client, campaigns: dict[str, int]) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/campaigns", params=params).json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(campaigns.values(), reverse=True)
    assert pages == 3


def test_detail_of_a_token_campaign(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    response = api.get(f"/campaigns/{campaigns['token']}")
    assert response.status_code == 200
    body = response.json()
    assert body["token"]["symbol"] == "DMT" and body["token"]["decimals"] == 18
    assert body["pledged"] == str(30 * 10**18) and body["goal"] == str(100 * 10**18)
    assert body["cap"] == str(200 * 10**18)
    assert body["percent_funded"] == 30.0
    assert Web3.is_checksum_address(body["creator"]) and Web3.is_checksum_address(body["token"]["address"])
    assert body["block"]["number"] <= w3.eth.block_number


def test_unknown_campaign_is_404(api: httpx.Client) -> None:
    response = api.get("/campaigns/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "campaign 999 does not exist"}


def test_malformed_input_is_422_with_a_reason(api: httpx.Client) -> None:
    for path, params in [
        ("/campaigns/abc", {}),
        ("/campaigns/0", {}),
        ("/campaigns", {"limit": 0}),
        ("/campaigns", {"limit": 101}),
        ("/campaigns", {"state": "pending"}),
        ("/campaigns", {"cursor": "not-a-cursor"}),
    ]:
        response = api.get(path, params=params)
        assert response.status_code == 422, (path, params)
        assert response.json()["detail"]


def test_filters_by_creator_token_and_backer(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator, alice, bob = w3.eth.accounts[:3]

    def ids(**params: str) -> set[int]:
        response = api.get("/campaigns", params={**params, "limit": 100})
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids(creator=creator) == set(campaigns.values())
    assert ids(creator=alice) == set()
    token = escrow.campaign(campaigns["token"]).token
    assert ids(token=token) == {campaigns["token"]}
    assert ids(token="0x" + "0" * 40) == set(campaigns.values()) - {campaigns["token"]}
    assert ids(backer=alice) == {campaigns["failed"], campaigns["active0"]}
    # Lowercase addresses are accepted; they carry no checksum to check.
    assert ids(backer=bob.lower()) == {campaigns["succeeded"], campaigns["token"]}
    assert ids(backer=bob, state="active") == {campaigns["token"]}


def test_detail_holds_what_only_the_events_know(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    body = api.get(f"/campaigns/{campaigns['active0']}").json()
    chain = escrow.campaign(campaigns["active0"], block=body["block"]["number"])
    assert body["metadata_uri"] == "ipfs://a0"
    assert body["backer_count"] == 1
    assert body["pledged"] == str(chain.pledged) == str(10**18 // 4)
    assert body["percent_funded"] == 25.0
    assert body["state"] == "active" and body["updates"] == []
    now = w3.eth.get_block(body["block"]["number"])["timestamp"]
    assert body["seconds_left"] == chain.deadline - now > 0
    assert w3.eth.get_block(body["block"]["number"])["hash"].to_0x_hex() == body["block"]["hash"]

    cancelled = api.get(f"/campaigns/{campaigns['cancelled']}").json()
    assert cancelled["state"] == "cancelled" and cancelled["cancelled"] is True
    assert cancelled["backer_count"] == 0 and cancelled["claimed"] is False


def test_bad_addresses_are_422(api: httpx.Client, w3: Web3) -> None:
    alice = w3.eth.accounts[1]
    wrong_case = alice[:2] + alice[2:].swapcase()
    for value in ["0x123", "alice", alice + "00", wrong_case]:
        response = api.get("/campaigns", params={"backer": value})
        assert response.status_code == 422, value
        assert "backer" in response.json()["detail"]
    assert api.get(f"/backers/{wrong_case}/pledges").status_code == 422
    assert api.get("/campaigns/1/backers/nobody").status_code == 422


def test_huge_ids_are_404_not_errors(api: httpx.Client) -> None:
    for campaign_id in (2**63, 2**256 - 1):
        assert api.get(f"/campaigns/{campaign_id}").status_code == 404
        assert api.get(f"/campaigns/{campaign_id}/pledges").status_code == 404
        assert api.get(f"/campaigns/{campaign_id}/backers/0x{'1' * 40}").status_code == 404
        assert api.get(f"/campaigns/{campaign_id}/tiers").status_code == 404
    assert api.get(f"/campaigns/{2**256}").status_code == 422
