"""The gateway's index: the escrow's events in a database (SQLite by default, PostgreSQL
for several replicas), what they add up to per campaign and backer, and the tip (the last
block indexed) that every answer is pinned to.

It reads the chain through `api.node` and hands up plain frozen dataclasses
(`api.index.types`); it knows nothing of HTTP."""
