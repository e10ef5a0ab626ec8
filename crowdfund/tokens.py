"""The ERC-20 tokens campaigns count in: their symbol and decimals, balances and
allowances, approvals, and EIP-2612 permits signed by a keystore or a node account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception
from web3.types import RPCEndpoint, TxParams

from crowdfund.transactions import Sender
from crowdfund.units import ETHER, Currency

_ADDRESS, _UINT = {"type": "address"}, {"type": "uint256"}


def _fn(name: str, inputs: list[dict[str, str]], outputs: list[dict[str, str]], view: bool = True) -> Any:
    return {
        "name": name,
        "type": "function",
        "stateMutability": "view" if view else "nonpayable",
        "inputs": [{"name": f"a{i}", **t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", **t} for t in outputs],
    }


ERC20_ABI = [
    _fn("name", [], [{"type": "string"}]),
    _fn("symbol", [], [{"type": "string"}]),
    _fn("decimals", [], [{"type": "uint8"}]),
    _fn("balanceOf", [_ADDRESS], [_UINT]),
    _fn("allowance", [_ADDRESS, _ADDRESS], [_UINT]),
    _fn("approve", [_ADDRESS, _UINT], [{"type": "bool"}], view=False),
    # EIP-2612
    _fn("nonces", [_ADDRESS], [_UINT]),
    _fn("DOMAIN_SEPARATOR", [], [{"type": "bytes32"}]),
    # EIP-5267: how the token builds its EIP-712 domain
    _fn(
        "eip712Domain",
        [],
        [
            {"type": "bytes1"},
            {"type": "string"},
            {"type": "string"},
            _UINT,
            _ADDRESS,
            {"type": "bytes32"},
            {"type": "uint256[]"},
        ],
    ),  # fmt: skip
]

_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
_PERMIT_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


class NotAToken(Exception):
    def __init__(self, address: str) -> None:
        super().__init__(f"{address} does not answer as an ERC-20 token (it has no symbol and no decimals)")


class PermitUnavailable(Exception):
    """No permit can be signed: the token has none, or the node would not sign it."""


@dataclass(frozen=True)
class Permit:
    """An EIP-2612 signature letting the spender take `value` until `deadline`."""

    value: int
    deadline: int
    v: int
    r: bytes
    s: bytes


class Token:
    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=ERC20_ABI)

    def currency(self) -> Currency:
        """Its symbol and decimals. Both are optional in ERC-20: an old token whose symbol is a
        bytes32 is read as such, one without a symbol is named by its address, and one
        without decimals counts in base units."""
        symbol, decimals = self._symbol(), self._call("decimals")
        if symbol is None and decimals is None:
            raise NotAToken(self.address)
        label = symbol or f"{self.address[:6]}…{self.address[-4:]}"
        return Currency(label, int(decimals or 0), self.address)

    def _call(self, name: str) -> Any:
        try:
            return self.contract.functions[name]().call()
        except (ContractLogicError, Web3Exception, ValueError):
            return None

    def _symbol(self) -> str | None:
        symbol = self._call("symbol")
        if isinstance(symbol, str) and symbol:
            return symbol
        try:
            raw = bytes(
                self.w3.eth.call(
                    {"to": self.address, "data": function_signature_to_4byte_selector("symbol()")}
                )
            )
        except (ContractLogicError, Web3Exception, ValueError):
            return None
        text = raw[:32].rstrip(b"\0").decode("utf-8", "ignore") if len(raw) == 32 else ""
        return text if text.isprintable() and text else None

    def balance_of(self, owner: str) -> int:
        balance: int = self.contract.functions.balanceOf(owner).call()
        return balance

    def allowance(self, owner: str, spender: str) -> int:
        allowance: int = self.contract.functions.allowance(owner, spender).call()
        return allowance

    def build_approve(self, spender: str, amount: int) -> TxParams:
        return {
            "to": self.address,
            "data": self.contract.functions.approve(spender, amount)._encode_transaction_data(),
        }

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
        domain = {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying}
        expected = keccak(
            encode(
                ["bytes32", "bytes32", "bytes32", "uint256", "address"],
                [keccak(text=_DOMAIN_TYPE), keccak(text=name), keccak(text=version), chain_id, verifying],
            )
        )
        return domain if expected == separator else None

    def supports_permit(self) -> bool:
        return self._domain() is not None

    def sign_permit(self, signer: Sender, spender: str, value: int, deadline: int) -> Permit:
        """Sign a permit with a keystore account locally, or with a node account through
        the node (`eth_signTypedData_v4`, which anvil's dev accounts answer)."""
        domain = self._domain()
        if domain is None:
            raise PermitUnavailable(f"token {self.address} does not support EIP-2612 permits")
        owner = Web3.to_checksum_address(signer if isinstance(signer, str) else signer.address)
        message = {
            "owner": owner,
            "spender": Web3.to_checksum_address(spender),
            "value": value,
            "nonce": self.contract.functions.nonces(owner).call(),
            "deadline": deadline,
        }
        typed = {"types": _PERMIT_TYPES, "primaryType": "Permit", "domain": domain, "message": message}
        if isinstance(signer, str):
            # web3's sign_typed_data calls eth_signTypedData, which anvil does not answer; and
            # numbers go as decimal strings, since a node may read JSON integers as 64 or 128 bits.
            as_json = {
                **typed,
                "message": {k: str(v) if isinstance(v, int) else v for k, v in message.items()},
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


def currency_of(w3: Web3, token: str) -> Currency:
    """ETH for the zero address, else the token's symbol and decimals."""
    if int(token, 16) == 0:
        return ETHER
    return Token(w3, token).currency()
