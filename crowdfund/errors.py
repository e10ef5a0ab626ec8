"""Turn the escrow's and the milestone vault's custom errors into words: the one place
that does it, for the scripts, the CLI, the gateway and the page alike."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from crowdfund.abi import escrow_abi, vault_abi
from crowdfund.state import State
from crowdfund.units import Currency, format_amount, format_share, format_time

# Each rule's sentence; {names} are the error's arguments, formatted by _fmt.
_WORDS: dict[str, str] = {
    "CampaignNotFound": "campaign {id} does not exist",
    "GoalIsZero": "the goal must be above zero",
    "GoalTooLarge": "the goal {goal} is above the largest the escrow holds ({max})",
    "CapBelowGoal": "the cap {cap} is below the goal {goal}",
    "StartInPast": "the start {startsAt} is in the past (now {now})",
    "DeadlineNotAfterStart": "the deadline {deadline} is not after the start {startsAt}",
    "DurationTooLong": "a campaign runs at most {maxDuration}; {startsAt} to {deadline} is longer",
    "TokenHasNoCode": "{token} is not a token contract (it has no code)",
    "PledgesNotOpen": "campaign {id} opens for pledges at {startsAt}",
    "PledgesClosed": "campaign {id} closed for pledges at {deadline}",
    "CampaignIsCancelled": "campaign {id} was cancelled by its creator",
    "ZeroAmount": "the amount must be above zero",
    "WrongPaymentValue": "the call must carry {expected} wei of ETH, not {sent}",
    "CapExceeded": "campaign {id} accepts at most {cap} in all; this pledge would take it to {wouldBe}",
    "InvalidBacker": "a pledge cannot be credited to {backer}, which could never take it back",
    "TransferAmountMismatch": "token {token} delivered {received} instead of {expected} "
    "(tokens that take a fee on transfer are refused)",
    "PermitFailed": "the permit for {token} failed and the allowance {allowance} does not cover {needed}",
    "NotATokenCampaign": "campaign {id} takes ETH; permits are for token campaigns",
    "InsufficientPledge": "{backer} has pledged {pledged} to campaign {id}, less than {requested}",
    "GoalLocked": "campaign {id} reached its goal {goal}; from {lockedFrom} (its last 24 hours) "
    "no pledge may take it back below the goal (it would be {wouldBe})",
    "NotCreator": "only the creator {creator} of campaign {id} may do this, not {caller}",
    "CampaignNotEnded": "campaign {id} runs until {deadline}",
    "GoalNotReached": "campaign {id} ended with {pledged} of its goal {goal}",
    "AlreadyClaimed": "campaign {id} has already been claimed",
    "RefundsNotOpen": "refunds open only when a campaign failed, was cancelled or expired; "
    "campaign {id} is {state}",
    "NothingToRefund": "{backer} holds no pledge in campaign {id}",
    "CampaignEnded": "campaign {id} ended at {deadline}; it can no longer be cancelled",
    "ClaimWindowClosed": "the claim window of campaign {id} closed at {closedAt} (180 days after "
    "its deadline); the campaign expired and its backers may refund",
    "InvalidRecipient": "a claim cannot be paid to {to}",
    "SafeERC20FailedOperation": "the token {token} refused the transfer",
    # These three come from OpenZeppelin code in both contracts: worded for either.
    "ReentrancyGuardReentrantCall": "a token or a payee tried to call back into the contract mid-transfer",
    "FailedCall": "the recipient refused the ETH payment",
    "InsufficientBalance": "the contract holds {balance}, less than {needed}",
    "SafeCastOverflowedUintDowncast": "the value {value} does not fit in {bits} bits",
    # The milestone vault's rules. A call the vault forwards to the escrow (creating,
    # cancelling, claiming) fails with the escrow's own error, worded above.
    "NotAVaultCampaign": "campaign {id} was not created through the milestone vault",
    "TrancheCountInvalid": "a schedule has 1 to {max} tranches, not {count}",
    "ScheduleLengthMismatch": "the schedule has {releaseAtLength} release times for {shareBpsLength} shares",
    "ReleaseTimeInvalid": "tranche {index} would be due at {releaseAt}, outside {earliest} to {latest}: "
    "each tranche comes after the one before, after the deadline and at most five years after it",
    "ShareIsZero": "tranche {index} has a share of zero",
    "ShareSumInvalid": "the tranches' shares add up to {sum} instead of {expected}",
    "NothingToRelease": "nothing is due to the creator of campaign {id} yet; the next tranche is due "
    "at {nextReleaseAt}",
    "CampaignNotSucceeded": "campaign {id} has not succeeded: it is {state}",
    "NotABacker": "{account} holds no pledge in campaign {id}",
    "AlreadyObjected": "{backer} already objects to campaign {id}",
    "NoObjection": "{backer} has no objection to campaign {id} to withdraw",
    "NoTrancheToCome": "every tranche of campaign {id} was due by {lastReleaseAt}: nothing is left "
    "to object to",
    "CampaignHalted": "campaign {id} was halted by its backers' objections at {haltedAt}; objections "
    "are closed for good",
    "NotRefundable": "the vault does not refund campaign {id}: it refunds once backers holding more "
    "than half of the pledged total object, or once a tranche due to the creator has waited 180 days "
    "unreleased",
    "ReleaseWindowClosed": "tranche {tranche} of campaign {id} was not released by {closedAt}, 180 days "
    "after it fell due: it lapsed, and what its creator could still have been paid is its backers' to "
    "refund",
    "InvalidPayee": "tranches may not be paid to {to}: nobody could take them out of the zero "
    "address, the vault or the escrow",
    "AlreadyRefunded": "{backer} has already taken its refund from campaign {id}",
    "PaymentNotFromEscrow": "the vault takes ETH only from the escrow, not from {sender}",
}

# An argument that is 0 changes the sentence: NothingToRelease's next time is 0 when no
# tranche is left to pay (all paid, or the rest halted).
_WHEN_ZERO: dict[tuple[str, str], str] = {
    ("NothingToRelease", "nextReleaseAt"): "campaign {id} has nothing left to release to its creator",
}

_TIME_ARGS = {
    "startsAt",
    "deadline",
    "now",
    "lockedFrom",
    "closedAt",
    "releaseAt",
    "earliest",
    "latest",
    "nextReleaseAt",
    "lastReleaseAt",
    "haltedAt",
}
# Arguments read otherwise in one error only: a schedule's shares in basis points (shown in
# percent; `expected` is an amount in other errors) and tranche numbers (counted from 0).
_BPS_ARGS = {("ShareSumInvalid", "sum"), ("ShareSumInvalid", "expected")}
_TRANCHE_ARGS = {
    ("ReleaseTimeInvalid", "index"),
    ("ShareIsZero", "index"),
    ("ReleaseWindowClosed", "tranche"),
}


@dataclass(frozen=True)
class EscrowError:
    """A decoded revert: the rule's name, its arguments and the sentence a user reads."""

    name: str
    args: dict[str, Any]
    message: str

    def message_in(self, currency: Currency) -> str:
        """The sentence with its amounts in the campaign's own units (`campaign 5 accepts at
        most 1500 DMT in all`); `message` carries base units, as the escrow does."""
        return _words(self.name, self.args, currency)


# The arguments that are amounts of the campaign's currency.
_AMOUNT_ARGS = {"goal", "max", "cap", "pledged", "wouldBe", "requested", "allowance", "needed", "balance"}


def _words(name: str, args: dict[str, Any], currency: Currency | None = None) -> str:
    zero = next(
        (words for (error, arg), words in _WHEN_ZERO.items() if error == name and args.get(arg) == 0), None
    )
    return (zero or _WORDS.get(name, name)).format(**{k: _fmt(k, v, currency, name) for k, v in args.items()})


def _fmt(name: str, value: Any, currency: Currency | None = None, error: str = "") -> str:
    if currency is not None and name in _AMOUNT_ARGS and isinstance(value, int):
        return format_amount(value, currency)
    if name in _TIME_ARGS and isinstance(value, int):
        return format_time(value)
    if (error, name) in _BPS_ARGS and isinstance(value, int):
        return format_share(value)
    if (error, name) in _TRANCHE_ARGS and isinstance(value, int):
        return str(value + 1)  # people count tranches from 1, the contract from 0
    if name == "maxDuration" and isinstance(value, int):
        return f"{value // 86400} days"
    if name == "state" and isinstance(value, str):
        return value.capitalize()  # decoded as the state's word
    return str(value)


def _signature(item: dict[str, Any]) -> str:
    return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"


@cache
def _known_errors() -> dict[bytes, dict[str, Any]]:
    # The vault's ABI lists the OpenZeppelin errors it can raise; errors of the same
    # signature in both contracts (NotCreator) share one selector and one sentence.
    errors = [item for item in [*escrow_abi(), *vault_abi()] if item["type"] == "error"]
    # Errors raised by OpenZeppelin code inside the escrow, which its ABI does not list.
    for sig in ("FailedCall()", "InsufficientBalance(uint256,uint256)"):
        name, args = sig[:-1].split("(")
        types = [t for t in args.split(",") if t]
        names = ["balance", "needed"][: len(types)]
        errors.append(
            {"name": name, "inputs": [{"name": n, "type": t} for n, t in zip(names, types, strict=True)]}
        )
    return {function_signature_to_4byte_selector(_signature(e)): e for e in errors}


def _argument(spec: dict[str, Any], value: Any) -> Any:
    """An error's argument as people read it: addresses checksummed, a state by its word."""
    if spec["type"] == "address":
        return to_checksum_address(value)
    if spec.get("internalType", "").endswith(".State") and value in State._value2member_map_:
        return State(value).word
    return value


def decode_error(data: bytes | str | None) -> EscrowError | None:
    """Decode revert data from the escrow or the vault; None when there is none, or it is
    not one of their errors, or it does not decode as the error it names."""
    try:
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else data
    except ValueError:
        return None
    if not raw or len(raw) < 4:
        return None
    item = _known_errors().get(raw[:4])
    if item is None:
        return None
    types = [i["type"] for i in item["inputs"]]
    try:
        values = decode(types, raw[4:]) if types else ()
    except (DecodingError, OverflowError, ValueError):
        return None
    args = {i["name"]: _argument(i, v) for i, v in zip(item["inputs"], values, strict=True)}
    return EscrowError(item["name"], args, _words(item["name"], args))
