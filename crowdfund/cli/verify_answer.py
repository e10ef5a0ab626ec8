"""`crowdfund verify-answer URL`: is what a gateway says of a campaign (or of a backer's
pledge) what the chain holds? Checked against the reader's own node, trusting nothing the
gateway sends but the proof, which either holds or does not.

The header of the answer's block comes from the reader's node and must carry the answer's
block hash, and hash to it from its own fields; the account proof must lead from its state
root to the escrow, each storage proof from the escrow's storage root to a slot computed
here (crowdfund.proofs); the words proved are decoded and compared, figure by figure, with
the answer. Exit 0 when every figure is confirmed, 1 when one is not (named) or the proof
does not hold, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from web3 import Web3

from crowdfund import deployments
from crowdfund.cli.campaigns import address
from crowdfund.cli.context import Context, Refused
from crowdfund.proofs import (
    ProofInvalid,
    StoredCampaign,
    decode_campaign_slots,
    header_hash,
    proved_account,
    proved_slot,
    slot_of_pledge,
    slots_of_campaign,
)
from crowdfund.state import goal_reached, state_at
from crowdfund.units import Currency, format_amount, format_time

# A campaign's answer with its proof is some tens of kilobytes; this leaves room for a
# long metadata document and refuses a gateway that would flood the reader.
ANSWER_LIMIT = 8 * 2**20
TIMEOUT = 30


class NotConfirmed(Exception):
    """The proof does not hold, or does not reach what the answer says: exit 1, in words."""


@dataclass(frozen=True)
class Figure:
    name: str
    answer: Any  # as the answer says it
    chain: Any  # as the proved storage says it
    shown_answer: str
    shown_chain: str
    amount: bool = False  # in base units: a decimal string in --json

    @property
    def confirmed(self) -> bool:
        return bool(self.answer == self.chain)

    def document(self) -> dict[str, Any]:
        def shown(value: Any) -> Any:
            return str(value) if self.amount and value is not None else value

        return {
            "name": self.name,
            "answer": shown(self.answer),
            "chain": shown(self.chain),
            "confirmed": self.confirmed,
        }


def _with_proof(url: str) -> str:
    """`url` asking for the proof (proof=true), whatever else its query holds."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "proof"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("proof", "true")])))


def _fetch(url: str) -> dict[str, Any]:
    """The gateway's answer, read under ANSWER_LIMIT bytes."""
    try:
        with requests.get(
            url, stream=True, timeout=TIMEOUT, headers={"Accept": "application/json"}
        ) as response:
            body = bytearray()
            for chunk in response.iter_content(64 * 2**10):
                body += chunk
                if len(body) > ANSWER_LIMIT:
                    raise Refused(f"{url} answered with more than {ANSWER_LIMIT:,} bytes; not read further")
            status = response.status_code
    except requests.RequestException as exc:
        raise Refused(f"could not fetch {url}: {type(exc).__name__}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise Refused(f"{url} answered HTTP {status} with something that is not JSON") from None
    if status != 200:
        detail = answer.get("detail") if isinstance(answer, dict) else None
        raise Refused(f"{url} answered HTTP {status}" + (f": {detail}" if detail else ""))
    if not isinstance(answer, dict):
        raise Refused(f"{url} answered with JSON that is not an object")
    return answer


def _block(answer: dict[str, Any]) -> tuple[int, str]:
    block = answer.get("block")
    number = block.get("number") if isinstance(block, dict) else None
    hash_ = block.get("hash") if isinstance(block, dict) else None
    if not (isinstance(number, int) and number >= 0 and isinstance(hash_, str) and len(hash_) == 66):
        raise NotConfirmed("the answer names no block (number and hash) it was read at")
    return number, hash_.lower()


def _header(ctx: Context, number: int, claimed_hash: str) -> dict[str, Any]:
    """The reader's node's header of block `number`, which must be the answer's block."""
    header = ctx.w3.provider.make_request("eth_getBlockByNumber", [hex(number), False]).get("result")  # type: ignore[arg-type]
    where = ctx.network.display_url
    if not isinstance(header, dict):
        raise NotConfirmed(f"the header does not match: your node ({where}) has no block {number:,}")
    if str(header.get("hash", "")).lower() != claimed_hash:
        raise NotConfirmed(
            f"the header does not match: your node's block {number:,} is {header.get('hash')}, the answer's "
            f"is {claimed_hash} (another chain, a block since replaced, or a doctored answer)"
        )
    try:
        recomputed = "0x" + header_hash(header).hex()
    except ProofInvalid as exc:
        raise NotConfirmed(f"your node's header of block {number:,} cannot be hashed: {exc}") from None
    if recomputed != claimed_hash:
        raise NotConfirmed(
            f"your node's header of block {number:,} hashes to {recomputed}, not to the hash it gives for "
            "it: its state root cannot be tied to the block"
        )
    return header


def _nodes(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(n, str) and n.startswith("0x") for n in value):
        raise NotConfirmed(f"the proof's {what} is not a list of 0x-hex trie nodes")
    try:
        return [bytes.fromhex(n[2:]) for n in value]
    except ValueError:
        raise NotConfirmed(f"the proof's {what} is not a list of 0x-hex trie nodes") from None


def _escrow(ctx: Context, proof: dict[str, Any]) -> tuple[str, str]:
    """The escrow the proof is of, and where the reader's belief in it comes from: --escrow,
    else the deployment registry for the node's chain, else the gateway's word (said so)."""
    given = proof.get("address")
    if not (isinstance(given, str) and Web3.is_address(given)):
        raise NotConfirmed("the proof names no escrow address")
    proved = Web3.to_checksum_address(given)
    expected, source = ctx.args.escrow, "--escrow"
    if expected is None:
        record = deployments.find(ctx.chain_id)
        expected, source = (record.address, "your deployment registry") if record else (None, "")
    if expected is None:
        return proved, "the gateway's word (no --escrow given, none recorded for this chain)"
    if proved != expected:
        raise NotConfirmed(f"the proof is of the contract {proved}, not of the escrow {expected} ({source})")
    return proved, source


def _slots(proof: dict[str, Any], root: bytes, slots: list[int]) -> list[int]:
    """The words of `slots`, each proved from the escrow's storage root `root`."""
    entries = proof.get("storage")
    if not isinstance(entries, list):
        raise NotConfirmed("the proof holds no storage proofs")
    by_slot: dict[int, Any] = {}
    for entry in entries:
        key = entry.get("key") if isinstance(entry, dict) else None
        try:
            by_slot[int(key, 16)] = entry.get("proof")  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise NotConfirmed("the proof holds a storage proof without a slot") from None
    words = []
    for slot in slots:
        if slot not in by_slot:
            raise NotConfirmed(f"the proof lacks slot 0x{slot:064x}, which the answer's figures come from")
        try:
            words.append(proved_slot(root, slot, _nodes(by_slot[slot], "storage proof")))
        except ProofInvalid as exc:
            raise NotConfirmed(
                f"the storage proof of slot 0x{slot:064x} does not hold against the escrow's storage "
                f"root: {exc}"
            ) from None
    return words


def _amount(name: str, answer: dict[str, Any], chain: int, currency: Currency) -> Figure:
    """The answer's `name`, a decimal string of base units, against the chain's."""
    value = answer.get(name)
    said = int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None
    shown = "nothing readable" if said is None else format_amount(said, currency)
    return Figure(name, said, chain, shown, format_amount(chain, currency), amount=True)


def _campaign_figures(
    answer: dict[str, Any], stored: StoredCampaign, now: int, currency: Currency
) -> list[Figure]:
    def amount(name: str, chain: int) -> Figure:
        return _amount(name, answer, chain, currency)

    def plain(name: str, said: Any, chain: Any, show: Any = str) -> Figure:
        return Figure(name, said, chain, repr(said) if said is None else show(said), show(chain))

    def moment(value: Any) -> str:
        return format_time(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)

    token = answer.get("token")
    said_token = token.get("address") if isinstance(token, dict) else token
    fields = {
        "claimed": stored.claimed,
        "cancelled": stored.cancelled,
        "starts_at": stored.starts_at,
        "deadline": stored.deadline,
        "goal_reached": goal_reached(stored.pledged, stored.goal),
    }
    return [
        amount("goal", stored.goal),
        amount("cap", stored.cap),
        amount("pledged", stored.pledged),
        plain("starts_at", answer.get("starts_at"), stored.starts_at, moment),
        plain("deadline", answer.get("deadline"), stored.deadline, moment),
        plain("claimed", answer.get("claimed"), stored.claimed),
        plain("cancelled", answer.get("cancelled"), stored.cancelled),
        plain("creator", _checksummed(answer.get("creator")), stored.creator),
        plain("token", _checksummed(said_token), stored.token),
        # Worked out from the storage and the time of the header your node gave.
        plain("state", answer.get("state"), state_at(fields, now).word),
    ]


def _checksummed(value: Any) -> Any:
    return Web3.to_checksum_address(value) if isinstance(value, str) and Web3.is_address(value) else value


def _say(figure: Figure) -> str:
    return (
        f"{figure.name}: the answer says {figure.shown_answer}, the chain's storage says {figure.shown_chain}"
    )


# The answers that carry a proof, by their path at the gateway (under any prefix).
_PROVABLE = re.compile(r"/campaigns/(?P<id>[0-9]{1,78})(?:/backers/(?P<backer>0x[0-9a-fA-F]{40}))?/?$")


def _asked(url: str) -> tuple[int, str | None] | None:
    """The campaign (and backer) the URL asks about, when its path says."""
    match = _PROVABLE.search(urlsplit(url).path)
    if match is None:
        return None
    return int(match["id"]), _checksummed(match["backer"]) if match["backer"] else None


def verify(ctx: Context, url: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Every check, in order; NotConfirmed at the first that fails."""
    backer = _checksummed(answer.get("backer")) if "pledge" in answer else None
    campaign_id = answer.get("campaign_id") if backer is not None else answer.get("id")
    asked = _asked(url)
    if asked is not None and asked != (campaign_id, backer):
        about = f"campaign {campaign_id}" + (f", backer {backer}" if backer else "")
        wanted = f"campaign {asked[0]}" + (f", backer {asked[1]}" if asked[1] else "")
        raise NotConfirmed(f"the answer is about {about}, not {wanted} as asked")
    if not (
        isinstance(campaign_id, int) and not isinstance(campaign_id, bool) and 0 < campaign_id < 2**256
    ) or (backer is not None and not Web3.is_address(backer)):
        raise NotConfirmed(
            "the answer is neither a campaign's (/campaigns/ID) nor a backer's "
            "(/campaigns/ID/backers/ADDRESS)"
        )
    proof = answer.get("proof")
    if not isinstance(proof, dict):
        raise NotConfirmed("the answer carries no proof: the gateway gave none for proof=true")
    number, claimed_hash = _block(answer)
    if proof.get("block") != answer.get("block"):
        raise NotConfirmed(
            f"the proof is of another block than the answer (block {number:,}, {claimed_hash})"
        )
    header = _header(ctx, number, claimed_hash)
    state_root = bytes.fromhex(str(header["stateRoot"])[2:])
    escrow, escrow_from = _escrow(ctx, proof)
    try:
        account = proved_account(state_root, escrow, _nodes(proof.get("account_proof"), "account proof"))
    except ProofInvalid as exc:
        raise NotConfirmed(
            f"the account proof does not hold against the state root of block {number:,}: {exc}"
        ) from None
    if account is None:
        raise NotConfirmed(f"the proof shows no account at {escrow} in block {number:,}")
    slots = list(slots_of_campaign(campaign_id))
    if backer is not None:
        slots.append(slot_of_pledge(campaign_id, backer))
    words = _slots(proof, account.storage_root, slots)
    stored = decode_campaign_slots(words[:4])
    if not stored.exists:
        raise NotConfirmed(
            f"campaign {campaign_id} does not exist in the escrow's storage at block {number:,}"
        )
    currency = ctx.currency(stored.token)
    now = int(str(header["timestamp"]), 16)
    figures = _campaign_figures(answer, stored, now, currency)
    if backer is not None:
        # A backer's answer shows its pledge and the campaign's state, not the campaign.
        state = next(f for f in figures if f.name == "state")
        figures = [_amount("pledge", answer, words[4], currency), state]
    return {
        "campaign_id": campaign_id,
        "backer": backer,
        "block": {
            "number": number,
            "hash": claimed_hash,
            "state_root": "0x" + state_root.hex(),
            "timestamp": now,
        },
        "escrow": escrow,
        "escrow_from": escrow_from,
        "storage_root": "0x" + account.storage_root.hex(),
        "slots": [f"0x{slot:064x}" for slot in slots],
        "figures": figures,
    }


def run(ctx: Context) -> dict[str, Any]:
    url = _with_proof(ctx.args.url)
    answer = _fetch(url)
    ctx.out.line(f"answer: {url}")
    try:
        checked = verify(ctx, url, answer)
    except NotConfirmed as exc:
        ctx.exit_code = 1
        ctx.out.line(f"NOT CONFIRMED: {exc}")
        return ctx.document(url=url, confirmed=False, failure=str(exc))
    number = checked["block"]["number"]
    figures: list[Figure] = checked["figures"]
    who = f"backer {checked['backer']} in campaign" if checked["backer"] else "campaign"
    ctx.out.line(f"{who} {checked['campaign_id']} at block {number:,} ({checked['block']['hash']})")
    ctx.out.line(
        f"header: from your node ({ctx.network.display_url}): it carries the answer's block hash and hashes "
        "to it from its own fields"
    )
    ctx.out.line(f"escrow: {checked['escrow']} ({checked['escrow_from']}), proved in the block's state")
    ctx.out.line(f"storage: {len(checked['slots'])} slots proved from the escrow's storage root")
    for figure in figures:
        mark = "confirmed" if figure.confirmed else "DIFFERS"
        ctx.out.line(f"  {figure.name}: {figure.shown_chain} ({mark})")
    wrong = [f for f in figures if not f.confirmed]
    failure = "; ".join(_say(f) for f in wrong) or None
    if wrong:
        ctx.exit_code = 1
        ctx.out.line(f"NOT CONFIRMED: {failure}")
    else:
        ctx.out.line(f"confirmed: every figure is the chain's at block {number:,}")
    return ctx.document(
        url=url,
        confirmed=not wrong,
        failure=failure,
        **{k: v for k, v in checked.items() if k != "figures"},
        figures=[f.document() for f in figures],
    )


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http:// or https:// address of a gateway's answer"
        )
    return text


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "verify-answer",
        parents=[parents["output"], parents["network"]],
        help="check a gateway's answer about a campaign or a backer against your own node",
        description="Fetch a gateway's answer (GET /campaigns/ID or /campaigns/ID/backers/ADDRESS, asked "
        "with proof=true), take the header of its block from your node (--rpc-url or --network) and check "
        "that it carries the answer's block hash and hashes to it, verify the escrow's account proof against "
        "its state root and each storage proof against the escrow's storage root, decode the slots and "
        "confirm each figure of the answer, or name the one that differs. Exit 0 when every figure is "
        "confirmed, 1 otherwise. Trusted: only your node.",
    )
    parser.add_argument("url", type=_url, metavar="URL", help="the answer's address at the gateway")
    parser.add_argument(
        "--escrow",
        type=address,
        metavar="ADDRESS",
        default=None,
        help="the escrow the proof must be of (default: your deployment registry's for the node's chain)",
    )
    parser.set_defaults(run=run)
