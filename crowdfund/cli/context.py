"""What one command runs with: the node, the escrow and its milestone vault, the account
that signs, and the currencies campaigns count in; and the one path every transaction
takes (simulate, then show it under --dry-run or sign, send and follow it)."""

from __future__ import annotations

import getpass
import os
import re
import time
import warnings
from argparse import Namespace
from functools import cached_property
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxParams, TxReceipt

from crowdfund import deployments, keystore, networks, transactions
from crowdfund.cli.output import Output
from crowdfund.deployments import Deployment
from crowdfund.escrow import Campaign, Escrow
from crowdfund.tokens import NotAToken, currency_of
from crowdfund.transactions import Sender
from crowdfund.units import ETHER, Currency, format_amount
from crowdfund.vault import Vault

DEV_ACCOUNT = re.compile(r"^dev(\d+)$")


class UsageError(Exception):
    """The command line names something that does not exist or does not parse (exit 2)."""


class Refused(Exception):
    """The command was understood but cannot be carried out (exit 1)."""


class Context:
    def __init__(self, args: Namespace, out: Output) -> None:
        self.args = args
        self.out = out
        # What was sent (or, under --dry-run, would be), for the JSON document.
        self.transactions: list[dict[str, Any]] = []
        self._currencies: dict[str, Currency] = {}
        # The currency of the campaign at hand, for showing a refusal's amounts in its units.
        self.amounts_in: Currency | None = None
        # A command whose answer is "no" (verify-code finding a difference) sets 1: the
        # answer is printed in full all the same, and the exit code carries it to scripts.
        self.exit_code = 0

    # ------------------------------------------------------------------ the node

    @cached_property
    def network(self) -> networks.Network:
        network: str | None = self.args.network
        # RPC_URL is the gateway's setting too, so both can be pointed at one node at once;
        # a network named on the command line wins over it.
        rpc_url: str | None = self.args.rpc_url or (None if network else os.environ.get("RPC_URL"))
        return networks.resolve(network, rpc_url)

    @cached_property
    def w3(self) -> Web3:
        return networks.connect(self.network)

    @cached_property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    @property
    def is_local_chain(self) -> bool:
        return self.chain_id == networks.LOCAL_CHAIN_ID

    def now(self) -> int:
        """The chain's clock (the latest block), which is what the escrow's rules read."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def moment(self) -> int:
        """Now, for times people give as durations (`--deadline 30d`): the later of the
        machine's clock and the last block's. An idle local chain's last block can be long
        past, and the next block will carry the machine's time; a chain moved ahead is ahead."""
        return max(self.now(), int(time.time()))

    # ---------------------------------------------------------------- the escrow

    @cached_property
    def deployment(self) -> Deployment:
        record = deployments.find(self.chain_id)
        if record is None:
            raise Refused(
                f"no escrow is recorded for chain {self.chain_id} ({deployments.path_for(self.chain_id)}); "
                f"deploy one with `crowdfund deploy{self.network_flags()}`"
            )
        if not self.w3.eth.get_code(Web3.to_checksum_address(record.address)):
            raise Refused(
                f"the registry places the escrow at {record.address} on chain {self.chain_id}, but there "
                "is no contract there (was the local chain reset?); "
                f"run `crowdfund deploy{self.network_flags()}`"
            )
        return record

    @cached_property
    def escrow(self) -> Escrow:
        return Escrow(self.w3, self.deployment.address)

    @cached_property
    def vault(self) -> Vault | None:
        """The milestone vault beside the escrow; None where the registry names none (a
        registry from before the vault) or its address holds no contract."""
        address = self.deployment.vault_address
        if address is None or not self.w3.eth.get_code(Web3.to_checksum_address(address)):
            return None
        return Vault(self.w3, address)

    def require_vault(self) -> Vault:
        if self.vault is None:
            raise Refused(
                f"no milestone vault is recorded beside the escrow on chain {self.chain_id}; add one with "
                f"`crowdfund deploy --if-missing{self.network_flags()}`"
            )
        return self.vault

    def is_vault_campaign(self, campaign: Campaign) -> bool:
        """Whether the campaign was created through the vault, which is then its creator in
        the escrow."""
        return self.vault is not None and campaign.creator == self.vault.address

    def describe(self, tx: TxParams) -> str:
        """`pledge(3, 1500000000000000000)`: the call `tx` makes, to the escrow or the vault."""
        if self.vault is not None and tx.get("to") == self.vault.address:
            return self.vault.describe(tx)
        return self.escrow.describe(tx)

    def campaign(self, campaign_id: int) -> Campaign:
        try:
            return self.escrow.campaign(campaign_id)
        except (ContractCustomError, ContractLogicError) as exc:
            raise transactions.rejection(exc) from None

    def currency(self, token: str, *, strict: bool = False) -> Currency:
        """What `token` counts in; `strict` (a token being chosen) refuses a contract that
        answers as no ERC-20 token at all."""
        if token not in self._currencies or strict:
            try:
                self._currencies[token] = currency_of(self.w3, token, strict=strict)
            except NotAToken as exc:
                raise Refused(str(exc)) from None
        return self._currencies[token]

    def network_flags(self) -> str:
        """The options that chose this network, for commands suggested in messages."""
        if self.args.rpc_url:
            return f" --rpc-url {self.network.display_url}"
        if self.args.network:
            return f" --network {self.args.network}"
        return ""

    # --------------------------------------------------------------- the signer

    @cached_property
    def _keystore_account(self) -> keystore.KeystoreAccount | None:
        name = self.args.account
        if name is None or DEV_ACCOUNT.match(name):
            return None
        try:
            return keystore.find(self.keystore_dir, name)
        except keystore.AccountNotFound as exc:
            # The other kind of account a newcomer may have meant.
            raise UsageError(f"{exc}; on the local chain, anvil's accounts dev0 to dev9 need none") from None

    @property
    def keystore_dir(self) -> Path:
        folder: str | None = self.args.keystore_dir
        return Path(folder) if folder else keystore.default_dir()

    @cached_property
    def account_address(self) -> str:
        """Who signs, known without unlocking anything (enough for --dry-run)."""
        account = self._keystore_account
        if account is not None:
            return account.address
        name = self.args.account
        if not self.is_local_chain:
            raise UsageError(
                f"chain {self.chain_id} is not the local development chain: name the keystore account "
                "that signs with --account ID (see `crowdfund accounts`)"
                if name is None
                else f"{name} is one of anvil's development accounts, usable only on the local chain "
                f"(chain {networks.LOCAL_CHAIN_ID}); this is chain {self.chain_id}"
            )
        match = DEV_ACCOUNT.match(name) if name else None
        index = int(match[1]) if match else 0
        unlocked = self.w3.eth.accounts
        if index >= len(unlocked):
            raise UsageError(
                f"the node has {len(unlocked)} unlocked development accounts"
                + (f" (dev0 to dev{len(unlocked) - 1})" if unlocked else "")
                + "; name a keystore account with --account ID"
            )
        return str(unlocked[index])

    @cached_property
    def signer(self) -> Sender:
        account = self._keystore_account
        if account is None:
            return self.account_address
        return keystore.unlock(account, self._password(account))

    def _password(self, account: keystore.KeystoreAccount) -> str:
        password_file: str | None = self.args.password_file
        if password_file:
            password, readable_by_others = keystore.read_password_file(Path(password_file))
            if readable_by_others:
                self.out.warn(f"{password_file} can be read by other users; `chmod 600 {password_file}`")
            return password
        return ask_secret(
            f"password for keystore account {account.id!r} ({account.address}): ",
            f"no terminal to ask for the password of {account.id!r}: pass --password-file PATH",
        )

    # ------------------------------------------------------------ transactions

    def transact(self, tx: TxParams, *, what: str, currency: Currency | None = None) -> TxReceipt | None:
        """Simulate `tx` from the signing account; under --dry-run show it and stop there,
        else sign, send, follow it to its confirmations and say what it cost. `what`
        names the call for people (`pledge(3, 1500000000000000000)`)."""
        sender = self.account_address
        if self.args.dry_run:
            simulated = transactions.simulate(self.w3, sender, tx)
            filled = transactions.fill(self.w3, simulated)
            value = int(filled.get("value", 0))
            # What sending would cost at most: the value and the gas at the fee cap.
            most = value + int(filled["gas"]) * int(filled.get("maxFeePerGas", filled.get("gasPrice", 0)))
            balance = self.w3.eth.get_balance(Web3.to_checksum_address(sender))
            if balance < most:
                raise Refused(
                    f"{sender} holds {format_amount(balance, ETHER)}, less than the "
                    f"{format_amount(most, ETHER)} that {what.split('(')[0].strip()} may cost (value and gas "
                    f"{int(filled['gas']):,} at the fee cap): the simulation passes, but sending would fail"
                )
            record = {
                "function": what,
                "from": sender,
                "to": filled.get("to"),
                "value": str(value),
                "data": filled["data"]
                if isinstance(filled["data"], str)
                else "0x" + bytes(filled["data"]).hex(),
                "gas": filled["gas"],
                "nonce": filled["nonce"],
                "chain_id": filled["chainId"],
                **{
                    key: str(filled[field])
                    for key, field in (
                        ("max_fee_per_gas", "maxFeePerGas"),
                        ("max_priority_fee_per_gas", "maxPriorityFeePerGas"),
                        ("gas_price", "gasPrice"),
                    )
                    if field in filled
                },
                "simulated": True,
            }
            self.transactions.append(record)
            target = filled.get("to") or "a new contract"
            self.out.line(f"would send {what}")
            self.out.line(
                f"  from {sender} (nonce {filled['nonce']}) to {target}, value "
                f"{format_amount(value, currency or ETHER)}, gas {filled['gas']:,} (estimated); "
                "the simulation passes"
            )
            return None
        signer = self.signer
        with transactions.watch(
            self.out.progress, confirmations=self.args.confirmations, timeout=self.args.timeout
        ):
            try:
                receipt = transactions.send(self.w3, signer, tx)
            finally:
                self.out.done()
        self.transactions.append(
            {
                "function": what,
                "hash": "0x" + bytes(receipt["transactionHash"]).hex(),
                "block": receipt["blockNumber"],
                "gas_used": receipt["gasUsed"],
                "from": sender,
            }
        )
        # The progress line above showed the hash and block; the call itself is in --json.
        self.out.line(f"{what.split('(')[0]}: gas used {receipt['gasUsed']:,}")
        return receipt

    def document(self, **fields: Any) -> dict[str, Any]:
        """The JSON document of a command that touched the chain."""
        return {
            "network": self.network.name,
            "chain_id": self.chain_id,
            **({"escrow": self.escrow.address} if "escrow" in self.__dict__ else {}),
            **({"vault": vault.address} if (vault := self.__dict__.get("vault")) is not None else {}),
            **(
                {
                    "account": self.account_address,
                    "dry_run": bool(self.args.dry_run),
                    "transactions": self.transactions,
                }
                if getattr(self.args, "signs", False)
                else {}
            ),
            **fields,
        }


def ask_secret(prompt: str, without_terminal: str) -> str:
    """A secret typed at a hidden prompt; never echoed, so never read where echo cannot be
    turned off (getpass would fall back to reading it visibly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return getpass.getpass(prompt)
        except (EOFError, getpass.GetPassWarning):
            raise UsageError(without_terminal) from None
