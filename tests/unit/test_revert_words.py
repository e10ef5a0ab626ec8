"""Revert data from the escrow or the vault becomes a sentence with the rule's values; anything else, None."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from crowdfund.abi import escrow_abi
from crowdfund.errors import decode_error

CREATOR = "0x" + "Ab" * 20
CALLER = "0x" + "cd" * 20


def revert(signature: str, *args: Any) -> bytes:
    types = signature[signature.index("(") + 1 : -1]
    return function_signature_to_4byte_selector(signature) + encode([t for t in types.split(",") if t], args)


def test_a_closed_campaign_names_the_campaign_and_its_closing_time() -> None:
    error = decode_error(revert("PledgesClosed(uint256,uint64,uint256)", 7, 1_798_156_800, 1_798_156_900))
    assert error is not None
    assert error.name == "PledgesClosed"
    assert error.args == {"id": 7, "deadline": 1_798_156_800, "now": 1_798_156_900}
    assert error.message == "campaign 7 closed for pledges at 2026-12-25 00:00:00 UTC"


def test_addresses_are_checksummed_states_named_and_durations_in_days() -> None:
    not_creator = decode_error(revert("NotCreator(uint256,address,address)", 3, CREATOR, CALLER))
    assert not_creator is not None
    creator, caller = to_checksum_address(CREATOR), to_checksum_address(CALLER)
    assert creator != CREATOR and caller != CALLER  # so that checksumming is seen
    assert not_creator.args["creator"] == creator
    assert not_creator.message == f"only the creator {creator} of campaign 3 may do this, not {caller}"
    refunds = decode_error(revert("RefundsNotOpen(uint256,uint8)", 3, 2))
    assert refunds is not None and refunds.message.endswith("campaign 3 is Succeeded")
    assert refunds.args["state"] == "succeeded"  # by its word, as the gateway names states
    too_long = decode_error(revert("DurationTooLong(uint64,uint64,uint256)", 0, 1, 90 * 86_400))
    assert too_long is not None and too_long.message.startswith("a campaign runs at most 90 days;")


@pytest.mark.parametrize("form", ["0x{}", "{}"])
def test_hex_text_with_or_without_0x_decodes_like_bytes(form: str) -> None:
    data = revert("ZeroAmount()")
    error = decode_error(form.format(data.hex()))
    assert error is not None and error.message == "the amount must be above zero"
    assert decode_error(data) == error


@pytest.mark.parametrize("item", [i for i in escrow_abi() if i["type"] == "error"], ids=lambda i: i["name"])
def test_every_escrow_error_reads_as_a_sentence(item: dict[str, Any]) -> None:
    types = [i["type"] for i in item["inputs"]]
    values = [CREATOR if t == "address" else 1 for t in types]
    error = decode_error(revert(f"{item['name']}({','.join(types)})", *values))
    assert error is not None and error.name == item["name"]
    assert error.message != item["name"]  # a sentence, not just the rule's name
    assert "{" not in error.message


@pytest.mark.parametrize(
    "data",
    [
        None,
        b"",
        "",
        "0x",
        revert("ZeroAmount()")[:3],  # shorter than a selector
        revert("NotAnEscrowError(uint256)", 1),
        "0xzzzzzzzz",
        "0x123",  # odd length
        revert("CampaignNotFound(uint256)", 1)[:20],  # argument cut short
        # an address argument with dirty high bytes is not an address
        function_signature_to_4byte_selector("TokenHasNoCode(address)") + b"\xff" * 32,
        # a uint8 state of 300 does not fit
        function_signature_to_4byte_selector("RefundsNotOpen(uint256,uint8)")
        + encode(["uint256"] * 2, [1, 300]),
    ],
)
def test_data_that_is_not_an_escrow_error_reads_as_none(data: bytes | str | None) -> None:
    assert decode_error(data) is None


def test_a_closed_claim_window_names_when_it_closed_and_that_refunds_are_open() -> None:
    error = decode_error(revert("ClaimWindowClosed(uint256,uint64)", 4, 1_798_156_800))
    assert error is not None and error.args == {"id": 4, "closedAt": 1_798_156_800}
    assert error.message == (
        "the claim window of campaign 4 closed at 2026-12-25 00:00:00 UTC (180 days after its deadline); "
        "the campaign expired and its backers may refund"
    )
    expired = decode_error(revert("RefundsNotOpen(uint256,uint8)", 4, 6))
    assert expired is not None and expired.message.endswith("campaign 4 is Expired")


def test_refused_backers_and_recipients_are_named() -> None:
    zero = "0x" + "00" * 20
    backer = decode_error(revert("InvalidBacker(address)", zero))
    assert (
        backer is not None
        and backer.message == f"a pledge cannot be credited to {zero}, which could never take it back"
    )
    recipient = decode_error(revert("InvalidRecipient(address)", CREATOR))
    assert (
        recipient is not None
        and recipient.message == f"a claim cannot be paid to {to_checksum_address(CREATOR)}"
    )


def test_the_vaults_errors_are_in_words_with_shares_in_percent_and_tranches_from_one() -> None:
    shares = decode_error(revert("ShareSumInvalid(uint256,uint256)", 9000, 10_000))
    assert shares is not None and shares.message == "the tranches' shares add up to 90% instead of 100%"
    # `expected` is an amount in the escrow's errors, never a share.
    payment = decode_error(revert("WrongPaymentValue(uint256,uint256)", 10_000, 5))
    assert payment is not None and payment.message == "the call must carry 10000 wei of ETH, not 5"
    zero = decode_error(revert("ShareIsZero(uint256)", 0))
    assert zero is not None and zero.message == "tranche 1 has a share of zero"
    later = decode_error(revert("NothingToRelease(uint256,uint64)", 4, 1_798_156_800))
    assert later is not None
    assert later.message == (
        "nothing is due to the creator of campaign 4 yet; the next tranche is due at 2026-12-25 00:00:00 UTC"
    )
    done = decode_error(revert("NothingToRelease(uint256,uint64)", 4, 0))
    assert done is not None and done.message == "campaign 4 has nothing left to release to its creator"
    failed = decode_error(revert("CampaignNotSucceeded(uint256,uint8)", 4, 3))
    assert failed is not None and failed.message == "campaign 4 has not succeeded: it is Failed"
