"""The local development chain's clock across restarts (`make run`).

anvil's `--state FILE` reloads the chain's blocks at start, but its clock restarts from
the machine's: after the demo moved the chain two days ahead (`evm_increaseTime`), the
next block would be older than the last one, and campaigns that had ended would look
Active again. `continue_clock` makes the next block follow the last one instead (anvil's
`evm_setNextBlockTimestamp` also moves its offset, so later blocks go on from there).

    python -m crowdfund.localchain http://127.0.0.1:18545
"""

from __future__ import annotations

import sys
import time

from web3 import Web3

from crowdfund.networks import LOCAL_CHAIN_ID
from crowdfund.units import format_duration, format_time


def continue_clock(w3: Web3, now: float | None = None) -> int | None:
    """When the latest block is not older than the machine's clock, make the next block
    one second after it; returns that timestamp, or None when the clock was fine."""
    if w3.eth.chain_id != LOCAL_CHAIN_ID:
        raise ValueError(f"only the local development chain ({LOCAL_CHAIN_ID}) has its clock set")
    latest = int(w3.eth.get_block("latest")["timestamp"])
    wall = int(time.time() if now is None else now)
    if latest < wall:
        return None
    w3.provider.make_request("evm_setNextBlockTimestamp", [latest + 1])  # type: ignore[arg-type]
    return latest + 1


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m crowdfund.localchain RPC_URL", file=sys.stderr)
        return 2
    w3 = Web3(Web3.HTTPProvider(argv[0], request_kwargs={"timeout": 10}))
    wall = time.time()
    following = continue_clock(w3, wall)
    if following is not None and following - int(wall) > 1:
        ahead = format_duration(following - int(wall))
        print(f"the chain's clock goes on from its last block: {format_time(following)} ({ahead} ahead)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
