"""The gateway's settings, read once from the environment (or a .env file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

from crowdfund.project import deployments_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    rpc_url: HttpUrl = Field(HttpUrl("http://127.0.0.1:18545"), description="JSON-RPC endpoint of the node")
    escrow_address: str | None = Field(
        None, description="escrow address; by default the deployment registry's"
    )
    deployments_dir: Path = Field(default_factory=deployments_dir, description="the deployment registry")
    rpc_timeout: float = Field(5.0, gt=0, description="seconds before a node request is abandoned")
    retry_after: int = Field(5, ge=1, description="Retry-After seconds sent with 503 answers")
    cors_origins: list[str] = Field(default_factory=list)


@cache
def get_settings() -> Settings:
    return Settings()
