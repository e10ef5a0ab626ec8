"""The ERC-20 tokens campaigns count in: their symbol and decimals, balances and
allowances, approvals, and EIP-2612 permits signed by a keystore or a node account."""

from __future__ import annotations

from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception
from web3.types import RPCEndpoint, TxParams

from crowdfund import erc20, permit
from crowdfund.permit import Permit
from crowdfund.transactions import Sender
from crowdfund.units import ETHER, Currency


class NotAToken(Exception):
    def __init__(self, address: str) -> None:
        super().__init__(f"{address} does not answer as an ERC-20 token (it has no symbol and no decimals)")


class PermitUnavailable(Exception):
    """No permit can be signed: the token has none, or the node would not sign it."""


class Token:
    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=erc20.ERC20_ABI)

    def currency(self, *, strict: bool = False) -> Currency:
        """Its symbol and decimals. Both are optional in ERC-20 (see crowdfund.erc20): one
        without a symbol is named by its address, one without decimals counts in base units,
        as the gateway shows them. `strict` refuses a contract that has neither (NotAToken):
        for a token being chosen, not one a campaign already counts in."""
        currency, answers = erc20.currency_of(self.address, self._read("symbol"), self._read("decimals"))
        if strict and not answers:
            raise NotAToken(self.address)
        return currency

    def _read(self, function: str) -> bytes | None:
        """The raw answer of a metadata call, None when the token reverts or has no such function."""
        try:
            return bytes(self.w3.eth.call({"to": self.address, "data": erc20.encode_call(function)}))
        except (ContractLogicError, Web3Exception, ValueError):
            return None

    def balance_of(self, owner: str) -> int:
        balance: int = self.contract.functions.balanceOf(owner).call()
        return balance

    def allowance(self, owner: str, spender: str) -> int:
        allowance: int = self.contract.functions.allowance(owner, spender).call()
        return allowance

    def build_approve(self, spender: str, amount: int) -> TxParams:
        return {"to": self.address, "data": erc20.encode_call("approve", spender, amount)}

    def _domain(self) -> dict[str, Any] | None:
        """The token's EIP-712 domain, checked against its DOMAIN_SEPARATOR; None when the
        token has no permits or builds its domain in a way this code does not reproduce."""
        try:
            separator = bytes(self.contract.functions.DOMAIN_SEPARATOR().call())
            self.contract.functions.nonces(self.address).call()
        except (ContractLogicError, Web3Exception, ValueError):
            return None
        try:
            _, name, version, chain_id, verifying, _, _ = self.contract.functions.eip712Domain().call()
        except (ContractLogicError, Web3Exception, ValueError):
            name, version, chain_id, verifying = (
                self.contract.functions.name().call(),
                "1",
                self.w3.eth.chain_id,
                self.address,
            )
        found = permit.domain(name, version, chain_id, verifying)
        return found if permit.domain_separator(found) == separator else None

    def supports_permit(self) -> bool:
        return self._domain() is not None

    def sign_permit(self, signer: Sender, spender: str, value: int, deadline: int) -> Permit:
        """Sign a permit with a keystore account locally, or with a node account through
        the node (`eth_signTypedData_v4`, which anvil's dev accounts answer)."""
        domain = self._domain()
        if domain is None:
            raise PermitUnavailable(f"token {self.address} does not support EIP-2612 permits")
        owner = Web3.to_checksum_address(signer if isinstance(signer, str) else signer.address)
        typed = permit.typed_data(
            domain,
            owner=owner,
            spender=Web3.to_checksum_address(spender),
            value=value,
            nonce=self.contract.functions.nonces(owner).call(),
            deadline=deadline,
        )
        if isinstance(signer, str):
            # web3's sign_typed_data calls eth_signTypedData, which anvil does not answer; and
            # numbers go as decimal strings, since a node may read JSON integers as 64 or 128 bits.
            as_json = {
                **typed,
                "message": {k: str(v) if isinstance(v, int) else v for k, v in typed["message"].items()},
            }
            answer = self.w3.provider.make_request(RPCEndpoint("eth_signTypedData_v4"), [owner, as_json])
            if "result" not in answer:
                raise PermitUnavailable(
                    f"the node did not sign the permit for {owner}: {answer.get('error')}"
                )
            signature = bytes(HexBytes(answer["result"]))
            r, s, v = signature[:32], signature[32:64], signature[64]
            return Permit(value, deadline, v if v >= 27 else v + 27, r, s)
        signed = signer.sign_typed_data(full_message=typed)
        return Permit(value, deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))


def currency_of(w3: Web3, token: str, *, strict: bool = False) -> Currency:
    """ETH for the zero address, else the token's symbol and decimals (Token.currency)."""
    if int(token, 16) == 0:
        return ETHER
    return Token(w3, token).currency(strict=strict)
