"""The gateway's settings, read once from the environment (or a .env file)."""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path

from limits import parse_many
from pydantic import Field, HttpUrl, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from web3 import Web3

from crowdfund.content import DEFAULT_CONTENT_DIR

from .node.rpc import ANSWER_LIMIT


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    rpc_url: HttpUrl = Field(HttpUrl("http://127.0.0.1:18545"), description="JSON-RPC endpoint of the node")
    escrow_address: str | None = Field(
        None, description="escrow address; by default the deployment registry's"
    )

    vault_address: str | None = Field(
        None,
        description="milestone vault address; by default the deployment registry's (none: the "
        "gateway serves the escrow alone)",
    )

    @field_validator("escrow_address", "vault_address")
    @classmethod
    def _checksummed(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Refused at start-up: a bad address would otherwise fail every request.
        if value is not None and not Web3.is_address(value):
            raise ValueError(f"{str(info.field_name).upper()} {value!r} is not an Ethereum address")
        return Web3.to_checksum_address(value) if value else None

    rpc_timeout: float = Field(5.0, gt=0, description="seconds before a node request is abandoned")
    rpc_answer_limit: int = Field(
        ANSWER_LIMIT,
        ge=64 * 2**10,
        description="bytes one answer of the node (a batch's answers together) may have; a longer "
        "one is abandoned while it arrives, a node fault (503); an eth_getLogs past it is asked "
        "again for fewer blocks",
    )
    retry_after: int = Field(5, ge=1, description="Retry-After seconds sent with 503 answers")
    cors_origins: list[str] = Field(default_factory=list)

    database_url: str = Field(
        "sqlite:///.chain/index.sqlite",
        description="the index: a SQLite file (default) or postgresql://… shared by several replicas",
    )
    confirmations: int = Field(
        0, ge=0, description="blocks a block must be buried under before it is indexed and answered at"
    )
    run_indexer: bool = Field(
        True,
        description="take part in indexing: of all the processes on one database with it on, one "
        "indexes and the others stand by; false: only serve what the database holds",
    )
    start_block: int | None = Field(
        None, ge=0, description="first block to index; by default the deployment's block (or 0)"
    )
    log_chunk: int = Field(2000, ge=1, description="blocks asked for in one eth_getLogs")
    poll_interval: float = Field(1.0, gt=0, description="seconds between looks at the chain's head")
    max_lag: int = Field(
        64, ge=0, description="blocks the index may trail the confirmed head before answers are 503"
    )
    stall_after: float | None = Field(
        None,
        gt=0,
        description="seconds the node's head may stand still before answers are 503 (a node "
        "that stopped following its chain); none: never, as on a local chain that mines only "
        "on transactions. On a public network, a few block times (60 on mainnet)",
    )
    read_cache: bool = Field(
        True, description="answer repeated reads at one block from memory (off only to measure)"
    )
    cache_bytes: int = Field(
        64 * 2**20, ge=0, description="bytes the answers kept in memory may take; the oldest go first"
    )
    body_limit: int = Field(
        64 * 2**10, ge=0, description="bytes a request body may have; a longer one is refused with 413"
    )
    header_limit: int = Field(
        16 * 2**10,
        ge=1024,
        description="bytes a request line and its headers may have; more is refused with 431",
    )
    sse_max_clients: int | None = Field(
        None,
        ge=0,
        description="event streams open at once; past it /events answers 503. By default half the "
        "process's file descriptor limit (raised to its hard limit by `crowdfund serve`)",
    )
    sse_send_timeout: float = Field(
        30.0, gt=0, description="seconds a stream may wait for a client to read before it is dropped"
    )
    sse_replay_limit: int = Field(
        10_000,
        ge=0,
        description="events a Last-Event-ID may lie behind the tip; further behind, the stream "
        "sends `event: refetch` and resumes at the tip",
    )
    rate_limit_tx: str = Field(
        "5/second;60/minute",
        description="transaction builders per client, in the `limits` notation (`N/second;M/minute`); "
        "empty: unlimited",
    )
    rate_limit_events: str = Field(
        "10/second;120/minute", description="/events streams opened per client, likewise; empty: unlimited"
    )
    rate_limit_content: str = Field(
        "2/second;30/minute", description="POST /content uploads per client, likewise; empty: unlimited"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="proxies (IPs or CIDRs) whose X-Forwarded-For names the client; none by default",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        # Refused at start-up: uvicorn would silently take a typo for a host name.
        for proxy in value:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {proxy!r} is not an IP address or network") from None
        return value

    @field_validator("rate_limit_tx", "rate_limit_events", "rate_limit_content")
    @classmethod
    def _rates(cls, value: str) -> str:
        if value.strip():
            try:
                parse_many(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a rate such as '5/second;60/minute'") from None
        return value

    content_uploads: bool = Field(
        True,
        description="POST /content stores campaign documents and images; false: a read-only "
        "gateway, which answers it 403 and serves only what it holds or fetches",
    )
    content_dir: Path = Field(
        DEFAULT_CONTENT_DIR,
        description="the folder of stored content, one file per CID; unused when DATABASE_URL is "
        "PostgreSQL, whose `content` table every replica shares",
    )
    ipfs_gateway_url: HttpUrl | None = Field(
        None,
        description="an IPFS HTTP gateway (like https://ipfs.io) that GET /content/{cid} asks, in "
        "the trustless raw format, for content missing from the store; what it sends is checked "
        "against the CID before it is stored or served. None: only the store's content is served",
    )
    ipfs_timeout: float = Field(
        10.0, gt=0, description="seconds the IPFS gateway has to send the whole of one content"
    )
    document_cache_bytes: int = Field(
        16 * 2**20,
        ge=0,
        description="bytes the campaign and update documents kept in memory for the answers may "
        "take; the least recently shown go first (and are read again from the store when next shown)",
    )


@cache
def get_settings() -> Settings:
    return Settings()
