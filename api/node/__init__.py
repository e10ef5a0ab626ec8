"""The gateway's node layer: JSON-RPC to the Ethereum node, reads pinned to a block and
their cache, token metadata read as hostile input, and simulated transactions.

It knows nothing of HTTP or the index; what it returns are plain frozen dataclasses
(`api.node.types`) and the domain package's types."""
