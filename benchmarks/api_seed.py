"""Seed an anvil chain fast for the gateway benchmark: campaigns and pledges sent as
JSON-RPC batches of eth_sendTransaction with automining off, each batch then mined into
one block (as full as a block of a busy chain), without waiting for receipts."""

from __future__ import annotations

import random
import threading
from typing import Any

import httpx

from crowdfund.escrow import encode_call

DAY = 86_400
ETHER = 10**18
BLOCK_GAS = 28_000_000  # under anvil's 30M block gas limit; a batch is what fits in it
CREATE_GAS = 400_000
PLEDGE_GAS = 150_000


def rpc(client: httpx.Client, url: str, method: str, params: list[Any]) -> Any:
    answer = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def send_all(client: httpx.Client, url: str, txs: list[dict[str, Any]]) -> list[str]:
    """Send every transaction, BATCH per HTTP request; returns their hashes.

    Nonces are set here: anvil handles a batch's requests concurrently, and left to itself
    it would give two of them the same nonce."""
    nonces: dict[str, int] = {}
    for tx in txs:
        sender = tx["from"]
        if sender not in nonces:
            nonces[sender] = int(rpc(client, url, "eth_getTransactionCount", [sender, "pending"]), 16)
        tx["nonce"] = hex(nonces[sender])
        nonces[sender] += 1
    hashes: list[str] = []
    batch = max(1, BLOCK_GAS // max(int(tx["gas"], 16) for tx in txs))
    for start in range(0, len(txs), batch):
        chunk = txs[start : start + batch]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [tx]}
            for i, tx in enumerate(chunk)
        ]
        answers = sorted(client.post(url, json=body).json(), key=lambda a: a["id"])
        for answer in answers:
            if "error" in answer:
                raise RuntimeError(f"eth_sendTransaction: {answer['error']}")
            hashes.append(answer["result"])
        rpc(client, url, "evm_mine", [])
    return hashes


def seed(url: str, escrow: str, campaigns: int, pledges: int, seed_value: int = 7) -> dict[str, int]:
    """Create `campaigns` campaigns and spread `pledges` pledges over them (ids 1…campaigns)."""
    rng = random.Random(seed_value)
    with httpx.Client(timeout=120) as client:
        accounts: list[str] = rpc(client, url, "eth_accounts", [])
        creator, backers = accounts[0], accounts[1:]
        now = int(rpc(client, url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        rpc(client, url, "evm_setAutomine", [False])
        creates = [
            {
                "from": creator,
                "to": escrow,
                "gas": hex(CREATE_GAS),
                "data": encode_call(
                    "createCampaign",
                    "0x" + "0" * 40,
                    rng.randint(1, 50) * ETHER,
                    0,
                    0,
                    now + 60 * DAY,
                    f"ipfs://bench/{n}.json",
                ),
            }
            for n in range(campaigns)
        ]
        send_all(client, url, creates)
        txs = []
        for _ in range(pledges):
            amount = rng.randint(1, 1000) * ETHER // 1000
            txs.append(
                {
                    "from": rng.choice(backers),
                    "to": escrow,
                    "gas": hex(PLEDGE_GAS),
                    "value": hex(amount),
                    "data": encode_call("pledge", rng.randint(1, campaigns), amount),
                }
            )
        hashes = send_all(client, url, txs)
        rpc(client, url, "evm_setAutomine", [True])
        receipt = rpc(client, url, "eth_getTransactionReceipt", [hashes[-1]])
        if receipt is None or receipt["status"] != "0x1":
            raise RuntimeError(f"the last pledge failed: {receipt}")
        head = int(rpc(client, url, "eth_blockNumber", []), 16)
    return {"campaigns": campaigns, "pledges": pledges, "head": head}


class PledgeFlow:
    """Pledges sent in the background, `per_second` of them, from the chain's dev accounts
    to random campaigns, until stopped: the traffic of a live chain (interval mining puts
    them into the next block)."""

    def __init__(self, url: str, escrow: str, campaigns: int, per_second: float) -> None:
        self.url, self.escrow, self.campaigns, self.per_second = url, escrow, campaigns, per_second
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send, daemon=True)

    def __enter__(self) -> PledgeFlow:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _send(self) -> None:
        rng = random.Random(11)
        with httpx.Client(timeout=30) as client:
            backers = rpc(client, self.url, "eth_accounts", [])[1:]
            while not self._stop.wait(1 / self.per_second):
                amount = rng.randint(1, 1000) * ETHER // 1000
                tx = {
                    "from": rng.choice(backers),
                    "to": self.escrow,
                    "gas": hex(PLEDGE_GAS),
                    "value": hex(amount),
                    "data": encode_call("pledge", rng.randint(1, self.campaigns), amount),
                }
                rpc(client, self.url, "eth_sendTransaction", [tx])
                self.sent += 1
