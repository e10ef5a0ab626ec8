"""Which node to talk to: the local chain by default, a brownie network by name, or any
JSON-RPC URL."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from web3 import Web3

LOCAL_NETWORK = "crowdfund-local"
LOCAL_RPC_URL = "http://127.0.0.1:18545"
LOCAL_CHAIN_ID = 31337


class NetworkError(Exception):
    """The network cannot be used as given; the message says what to change."""


class UnknownNetwork(NetworkError):
    """The command line names no network that can be used: an unknown name, not a URL."""


class NodeUnreachable(NetworkError):
    pass


@dataclass(frozen=True)
class Network:
    name: str
    rpc_url: str
    chain_id: int | None = None  # what the network's configuration promises, when it says

    @property
    def display_url(self) -> str:
        return display_url(self.rpc_url)


def display_url(rpc_url: str) -> str:
    """The URL without its path and query, where providers put API keys: the only form of a
    node's URL that may be printed, logged or answered."""
    parts = urlsplit(rpc_url)
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{hidden}"


def brownie_config_file() -> Path:
    return Path.home() / ".brownie" / "network-config.yaml"


def _brownie_networks() -> dict[str, dict[str, Any]]:
    path = brownie_config_file()
    if not path.exists():
        return {}
    config = yaml.safe_load(path.read_text()) or {}
    found: dict[str, dict[str, Any]] = {}
    for entry in config.get("development") or []:
        found[entry["id"]] = {**entry, "development": True}
    for group in config.get("live") or []:
        for entry in group.get("networks") or []:
            found[entry["id"]] = {**entry, "development": False}
    return found


def _expand(url: str, network: str) -> str:
    # brownie lets hosts name environment variables ($WEB3_INFURA_PROJECT_ID).
    missing = [name for name in re.findall(r"\$\{?(\w+)\}?", url) if name not in os.environ]
    if missing:
        raise NetworkError(f"network {network} needs {', '.join(missing)} set in the environment ({url})")
    return os.path.expandvars(url)


def resolve(name: str | None = None, rpc_url: str | None = None) -> Network:
    """The network to use: `rpc_url` when given, else the brownie network `name`, else
    the local chain of `make run`."""
    if rpc_url:
        if urlsplit(rpc_url).scheme not in ("http", "https"):
            raise UnknownNetwork(f"{rpc_url!r} is not an http(s) JSON-RPC URL")
        return Network(name or display_url(rpc_url), rpc_url)
    name = name or LOCAL_NETWORK
    entry = _brownie_networks().get(name)
    if entry is None:
        if name == LOCAL_NETWORK:
            return Network(LOCAL_NETWORK, LOCAL_RPC_URL, LOCAL_CHAIN_ID)
        raise UnknownNetwork(
            f"no network named {name!r} in {brownie_config_file()}; pass --rpc-url URL, or add it with "
            f"`brownie networks add <group> {name} host=URL chainid=ID`"
        )
    host = _expand(str(entry.get("host", "")), name)
    port = (entry.get("cmd_settings") or {}).get("port")
    if entry["development"] and port and not urlsplit(host).port:
        host = f"{host.rstrip('/')}:{port}"
    chain_id = entry.get("chainid")
    return Network(name, host, int(chain_id) if chain_id is not None else None)


def connect(network: Network, *, timeout: float = 30) -> Web3:
    """A Web3 on `network`, after checking that the node answers with the chain id the
    network's configuration promises."""
    w3 = Web3(Web3.HTTPProvider(network.rpc_url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = w3.eth.chain_id
    except Exception as exc:  # the provider raises several kinds for "nobody there"
        hint = " (start it with `make run`)" if network.name == LOCAL_NETWORK else ""
        # A node given by its URL alone has that URL for a name: said once.
        which = (
            "" if network.name in (network.rpc_url, network.display_url) else f" of network {network.name}"
        )
        raise NodeUnreachable(
            f"cannot reach the node{which} at {network.display_url}{hint}: {type(exc).__name__}"
        ) from None
    if network.chain_id is not None and chain_id != network.chain_id:
        raise NetworkError(
            f"network {network.name} should be chain {network.chain_id}, but the node at "
            f"{network.display_url} is chain {chain_id}"
        )
    return w3
