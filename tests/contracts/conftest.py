"""Fixtures for the CrowdfundEscrow contract tests: deployments, campaigns, time, reverts."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from brownie import Contract, web3
from brownie._config import CONFIG
from brownie.exceptions import VirtualMachineError
from eth_account import Account
from helpers import (
    ANVIL_MNEMONIC,
    DAY,
    ESCROW_BUILD,
    ETHER,
    MAX_UINT256,
    SOLIDITY_DIR,
    TOKEN_UNIT,
    URI,
    VAULT_BUILD,
    ZERO_ADDRESS,
    Campaign,
    Clock,
    ErrorDecoder,
    Revert,
    VaultCampaign,
    address_of,
    deploy_raw,
    normalize,
    revert_data,
)

from crowdfund.compiler import compile_files


def pytest_configure(config):
    # brownie calls its own deprecated rpc.* helpers on every snapshot and revert.
    config.addinivalue_line("filterwarnings", "ignore:rpc.*should not be called directly:FutureWarning")


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the state left by the module-scoped fixtures."""


# --------------------------------------------------------------------------- time


@pytest.fixture(scope="session")
def clock() -> Clock:
    """clock.now(), clock.at(ts) (pin the next block), clock.mine_at(ts), clock.of(tx)."""
    return Clock()


# --------------------------------------------------------------------------- test solidity


@pytest.fixture(scope="session")
def artifacts():
    """Every contract in tests/contracts/solidity, compiled together once per session."""
    return compile_files(*sorted(SOLIDITY_DIR.glob("*.sol")))


@pytest.fixture(scope="session")
def deploy(artifacts):
    """deploy(name, *constructor_args, sender=account, value=0) -> brownie Contract."""

    def _deploy(name: str, *args, sender, value: int = 0):
        address = deploy_raw(artifacts[name], *args, sender=sender, value=value)
        return Contract.from_abi(name, address, artifacts[name]["abi"])

    return _deploy


# --------------------------------------------------------------------------- reverts


@pytest.fixture(scope="session")
def error_decoder(artifacts) -> ErrorDecoder:
    escrow_abi = json.loads(ESCROW_BUILD.read_text())["abi"]
    vault_abi = json.loads(VAULT_BUILD.read_text())["abi"]
    return ErrorDecoder(escrow_abi, vault_abi, *(a["abi"] for a in artifacts.values()))


@pytest.fixture(scope="session")
def assert_reverts(error_decoder):
    """`with assert_reverts("Name", *args): <call>`: the call (transaction or view) must revert
    with exactly that error and those arguments; `assert_reverts(None)` expects empty revert
    data. The context value (a helpers.Revert) holds the timestamp and gas of a mined revert."""

    @contextmanager
    def _assert_reverts(error_name: str | None, *expected_args):
        caught = Revert()
        try:
            yield caught
        except VirtualMachineError as exc:
            caught.data = revert_data(exc)
            caught.name, caught.args = error_decoder.decode(caught.data)
            if exc.txid:
                caught.txid = exc.txid
                receipt = web3.eth.get_transaction_receipt(exc.txid)
                caught.gas_used = receipt.gasUsed
                caught.timestamp = web3.eth.get_block(receipt.blockNumber)["timestamp"]
        else:
            raise AssertionError(
                f"expected a revert with {error_name}{tuple(expected_args)}, but it succeeded"
            )
        got = (caught.name, normalize(caught.args))
        want = (error_name, normalize(tuple(expected_args)))
        assert got == want, f"reverted with {got}, expected {want}"

    return _assert_reverts


@pytest.fixture(scope="session")
def decode_error(error_decoder):
    """decode_error(data) -> (name, normalized args), e.g. for data an attacker recorded."""

    def _decode(data):
        name, args = error_decoder.decode(bytes(data))
        return name, normalize(args)

    return _decode


# --------------------------------------------------------------------------- accounts


@pytest.fixture(scope="session")
def deployer(accounts):
    """Deploys the escrow, which gives it no power at all."""
    return accounts[0]


@pytest.fixture(scope="session")
def creator(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def mallory(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def keys(accounts):
    """Private keys of the anvil dev accounts (the well-known test mnemonic), to sign permits."""
    Account.enable_unaudited_hdwallet_features()
    derived = [
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        for i in range(len(accounts))
    ]
    assert [d.address for d in derived] == [a.address for a in accounts]
    return {a.address: d.key for a, d in zip(accounts, derived, strict=True)}


# --------------------------------------------------------------------------- contracts


@pytest.fixture(scope="module")
def escrow(module_isolation, CrowdfundEscrow, deployer):
    return CrowdfundEscrow.deploy({"from": deployer})


@pytest.fixture(scope="module")
def token(module_isolation, escrow, DemoToken, deployer, accounts):
    """An 18-decimal OpenZeppelin ERC-20 with permits (contracts/demo/DemoToken.sol);
    accounts 1-8 hold 10^6 tokens each and have approved the escrow for everything."""
    tok = DemoToken.deploy("Test Token", "TT", 18, {"from": deployer})
    for account in accounts[1:9]:
        tok.mint(account, 10**6 * TOKEN_UNIT, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": account})
    return tok


@pytest.fixture(scope="module")
def create_campaign(escrow, creator):
    """create_campaign(token=ETH, goal=10 ether, cap=0, starts_at=0, deadline=None,
    duration=30 days, uri=URI, sender=creator, at=None) -> helpers.Campaign.

    The creation block is pinned at `at` (default: latest block + 1), so the deadline
    (default: start + duration) is exact."""
    clock = Clock()

    def _create(
        token=ZERO_ADDRESS,
        goal: int = 10 * ETHER,
        cap: int = 0,
        starts_at: int = 0,
        deadline: int | None = None,
        duration: int = 30 * DAY,
        uri: str = URI,
        sender=None,
        at: int | None = None,
    ) -> Campaign:
        sender = sender or creator
        created_at = clock.at(at if at is not None else clock.now() + 1)
        if deadline is None:
            deadline = (starts_at or created_at) + duration
        tx = escrow.createCampaign(address_of(token), goal, cap, starts_at, deadline, uri, {"from": sender})
        assert clock.of(tx) == created_at
        event = tx.events["CampaignCreated"]
        return Campaign(
            id=event["id"],
            creator=sender,
            token=address_of(token),
            goal=goal,
            cap=cap,
            starts_at=event["startsAt"],
            deadline=deadline,
            created_at=created_at,
            tx=tx,
        )

    return _create


# --------------------------------------------------------------------------- milestone vault


@pytest.fixture(scope="module")
def vault(module_isolation, escrow, MilestoneVault, deployer):
    deployed = MilestoneVault.deploy(escrow, {"from": deployer})
    # brownie compares the deployed code with the build's and, when they differ, drops the
    # program-counter map, which leaves the contract without coverage. The vault's immutable
    # escrow address is the only difference; it moves no instruction, so under --coverage the
    # build's map is put back (offsets as tuples, as brownie loads them).
    if CONFIG.argv.get("coverage") and "pcMap" not in deployed._build:
        pc_map = json.loads(VAULT_BUILD.read_text())["pcMap"]
        deployed._build["pcMap"] = {
            int(pc): {**entry, "offset": tuple(entry["offset"])} if "offset" in entry else entry
            for pc, entry in pc_map.items()
        }
    return deployed


@pytest.fixture(scope="module")
def create_vault_campaign(vault, creator):
    """create_vault_campaign(release_at=(0, +30 d, +60 d, +90 d), share_bps=4 x 2,500,
    token=ETH, goal=10 ether, cap=0, starts_at=0, deadline=None, duration=30 days, uri=URI,
    sender=creator, at=None) -> helpers.VaultCampaign.

    `release_at` entries other than a first 0 are offsets in seconds from the deadline; the
    campaign gets them as absolute times. The creation block is pinned as in
    `create_campaign`."""
    clock = Clock()

    def _create(
        release_at=(0, 30 * DAY, 60 * DAY, 90 * DAY),
        share_bps=(2_500, 2_500, 2_500, 2_500),
        token=ZERO_ADDRESS,
        goal: int = 10 * ETHER,
        cap: int = 0,
        starts_at: int = 0,
        deadline: int | None = None,
        duration: int = 30 * DAY,
        uri: str = URI,
        sender=None,
        at: int | None = None,
    ) -> VaultCampaign:
        sender = sender or creator
        created_at = clock.at(at if at is not None else clock.now() + 1)
        if deadline is None:
            deadline = (starts_at or created_at) + duration
        times = [deadline + offset if (i or offset) else 0 for i, offset in enumerate(release_at)]
        tx = vault.createCampaign(
            address_of(token), goal, cap, starts_at, deadline, uri, times, list(share_bps), {"from": sender}
        )
        assert clock.of(tx) == created_at
        event = tx.events["CampaignCreated"]
        return VaultCampaign(
            id=event["id"],
            creator=sender,
            token=address_of(token),
            goal=goal,
            cap=cap,
            starts_at=event["startsAt"],
            deadline=deadline,
            created_at=created_at,
            tx=tx,
            release_at=tuple(t or deadline for t in times),
            share_bps=tuple(share_bps),
        )

    return _create


@pytest.fixture
def funded_vault(escrow, create_vault_campaign, alice, bob, carol):
    """A vault campaign in ETH on a 10 ether goal, four tranches of 25% due at the deadline
    and 30, 60 and 90 days after it; alice pledged 6 ether, bob and carol 3 each (12 in all)."""
    c = create_vault_campaign()
    for backer, amount in ((alice, 6 * ETHER), (bob, 3 * ETHER), (carol, 3 * ETHER)):
        escrow.pledge(c.id, amount, {"from": backer, "value": amount})
    return c
