"""What the chain itself says at one block, for everything the replayed events name: each
campaign's record, each backer's pledge, each vault campaign, and the contracts' balances.

The views are asked for in JSON-RPC batches of at most BATCH calls, the answers decoded
here with eth_abi: an audit of a busy escrow reads a hundred thousand pledges, and one
request per call would spend its time in round trips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from eth_abi.abi import decode
from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint, TxParams

from crowdfund import erc20
from crowdfund.abi import abi_type, vault_abi
from crowdfund.escrow import ETH, Campaign, decode_campaign, decode_result, encode_call
from crowdfund.vault import VaultCampaign
from crowdfund.vault import encode_call as encode_vault_call

# Geth refuses batches of more than 1,000 requests by default, erigon of more than 100...
# 500 keeps under geth's limit and its 25 MB answer cap with room to spare.
BATCH = 500


@dataclass(frozen=True)
class ChainView:
    block: int
    campaign_count: int
    campaigns: dict[int, Campaign]
    pledges: dict[tuple[int, str], int]
    vault_campaigns: dict[int, VaultCampaign]


class ReadRefused(Exception):
    """The node answered a view call with an error, or refused even a batch of one."""


def call_all(
    w3: Web3, calls: list[tuple[str, HexStr]], block: int, progress: Callable[[int], None] = lambda done: None
) -> list[bytes]:
    """The raw answers of eth_call (to, data) at `block`, in order, in batches of at most
    BATCH, halved for a node that refuses a batch as a whole (erigon takes 100 at most)."""
    answers: list[bytes] = []
    size, at = BATCH, hex(block)
    while len(answers) < len(calls):
        chunk = calls[len(answers) : len(answers) + size]
        # The provider's batch, not w3.batch_requests(): that one runs web3's request and
        # result formatters over every call, about a millisecond each, which would be most of
        # an audit's time; these calls are built and decoded here with eth_abi instead.
        reply = w3.provider.make_batch_request(  # type: ignore[attr-defined]
            [(RPCEndpoint("eth_call"), [{"to": to, "data": data}, at]) for to, data in chunk]
        )
        if not isinstance(reply, list):
            if size == 1:
                raise ReadRefused(f"the node refused eth_call at block {block}: {reply.get('error')}")
            size //= 2
            continue
        for (to, data), answer in zip(chunk, reply, strict=True):
            if "error" in answer or not isinstance(answer.get("result"), str):
                raise ReadRefused(f"eth_call to {to} ({data[:10]}) at block {block}: {answer.get('error')}")
            answers.append(bytes.fromhex(answer["result"][2:]))
        progress(len(answers))
    return answers


@cache
def _vault_campaign_types() -> list[str]:
    (item,) = (i for i in vault_abi() if i["type"] == "function" and i["name"] == "getCampaign")
    return [abi_type(o) for o in item["outputs"]]


def read_view(
    w3: Web3,
    escrow: str,
    vault: str | None,
    block: int,
    campaign_ids: Iterable[int],
    pledges: Iterable[tuple[int, str]],
    vault_ids: Iterable[int],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ChainView:
    """getCampaign, pledgeOf and the vault's getCampaign at `block` for the ids and pairs given."""
    ids, pairs, in_vault = list(campaign_ids), list(pledges), list(vault_ids)
    calls = [(escrow, encode_call("campaignCount"))]
    calls += [(escrow, encode_call("getCampaign", i)) for i in ids]
    pledge_of = encode_call("pledgeOf", 0, ETH)[:10]
    # Two words, written out: eth_abi's encoder costs more than the call itself, per pledge.
    calls += [(escrow, HexStr(f"{pledge_of}{i:064x}{backer[2:].lower():0>64}")) for i, backer in pairs]
    if vault is not None:
        calls += [(vault, encode_vault_call("getCampaign", i)) for i in in_vault]
    answers = call_all(w3, calls, block, lambda done: progress(done, len(calls)))
    count = int(decode_result("campaignCount", answers[0]))
    campaigns = dict(zip(ids, (decode_campaign(a) for a in answers[1 : 1 + len(ids)]), strict=True))
    rest = answers[1 + len(ids) :]
    held = dict(zip(pairs, (int.from_bytes(a, "big") for a in rest[: len(pairs)]), strict=True))
    vault_campaigns = {
        i: VaultCampaign.from_view(decode(_vault_campaign_types(), a)[0])
        for i, a in zip(in_vault if vault is not None else [], rest[len(pairs) :], strict=True)
    }
    return ChainView(block, count, campaigns, held, vault_campaigns)


def balance_of(w3: Web3, holder: str, asset: str, block: int) -> int | None:
    """What `holder` holds of `asset` (ETH: the zero address) at `block`; None when the token
    does not answer balanceOf with a number."""
    holder = Web3.to_checksum_address(holder)
    if asset == ETH:
        return int(w3.eth.get_balance(holder, block))
    try:
        call: TxParams = {
            "to": Web3.to_checksum_address(asset),
            "data": erc20.encode_call("balanceOf", holder),
        }
        raw = bytes(w3.eth.call(call, block))
    except (Web3Exception, ValueError):
        return None
    return int.from_bytes(raw, "big") if len(raw) == 32 else None
