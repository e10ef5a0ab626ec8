"""The gateway's commands, added to the `crowdfund` command through the entry-point group
`crowdfund.commands` (pyproject.toml), so that the core never imports the gateway:

    crowdfund serve    the gateway over HTTP (uvicorn)
    crowdfund index    the indexer alone, taking the lead with (or from) the gateways on
                       the same database

Both are configured like the gateway, from the environment (RPC_URL, DATABASE_URL, ...:
`crowdfund_api.settings`)."""

from __future__ import annotations

import argparse
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

# Only argparse at import time: every `crowdfund` command loads this module to list its
# commands, and the gateway's own imports (FastAPI, SQLAlchemy, ...) are needed only when
# one of its commands runs. That they are installed is checked here, cheaply, so that
# `crowdfund` lists these commands as unavailable (and says how to install them) when
# the package was installed without its `api` extra.
for _needed in ("fastapi", "uvicorn", "sqlalchemy", "pydantic_settings", "aiohttp"):
    if find_spec(_needed) is None:
        raise ImportError(f"No module named {_needed!r}", name=_needed)

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def _settings(ctx: Any) -> Any:
    """The gateway's settings from the environment; a wrong one is refused in words. A node
    named on the command line (--rpc-url, --network) wins over RPC_URL, as for every
    other `crowdfund` command."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from crowdfund.cli.context import UsageError

    from .settings import Settings

    named = ctx.args.rpc_url or ctx.args.network
    try:
        settings = Settings(**({"rpc_url": ctx.network.rpc_url} if named else {}))
        make_url(settings.database_url)
    except ValueError as exc:  # pydantic's ValidationError: which variable, and why
        raise UsageError(f"the gateway's settings are wrong: {exc}") from None
    except ArgumentError:
        raise UsageError(
            f"DATABASE_URL {settings.database_url!r} is not a database URL: "
            "sqlite:///path/index.sqlite or postgresql://user@host/name"
        ) from None
    return settings


def _serve(ctx: Any) -> dict[str, Any]:
    import uvicorn

    from .http.app import create_app
    from .http.protocol import bounded_protocol
    from .http.streams import raise_fd_limit

    settings = _settings(ctx)  # refused here, in words, rather than inside uvicorn's start-up
    args = ctx.args
    raise_fd_limit()  # before the app sizes its event-stream cap from it
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        http=bounded_protocol(settings.header_limit),
        # X-Forwarded-For is honoured only from TRUSTED_PROXIES, by the app itself
        # (uvicorn's own default would trust 127.0.0.1).
        proxy_headers=False,
    )
    return {}


def _index(ctx: Any) -> dict[str, Any]:
    import asyncio
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from crowdfund.cli.context import Refused
    from crowdfund.deployments import DeploymentNotFound

    from .gateway import holder_for, indexer_options
    from .index.indexer import Refused as Led
    from .index.indexer import catch_up, follow
    from .node.rpc import NodeUnavailable, RpcError

    settings = _settings(ctx)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("web3").setLevel(logging.WARNING)  # its connection chatter is not news
    holder, options = holder_for(settings), indexer_options(settings)
    if ctx.args.once:
        try:
            tip, seconds = asyncio.run(catch_up(settings.database_url, holder, options))
        except (NodeUnavailable, RpcError, DeploymentNotFound, Led) as exc:
            raise Refused(f"cannot index: {exc}") from None
        except SQLAlchemyError as exc:
            raise Refused(f"the index database did not answer: {type(exc).__name__}: {exc}") from None
        ctx.out.line(f"indexed up to block {tip.number} in {seconds:.1f} s")
        return {"indexed": tip.number, "seconds": round(seconds, 3)}
    try:
        asyncio.run(follow(settings.database_url, holder, options))
    except KeyboardInterrupt:
        pass
    return {}


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


SETTINGS = "configured like the gateway, from the environment (RPC_URL, ESCROW_ADDRESS, DATABASE_URL, ...)"


def serve(commands: Commands, parents: dict[str, argparse.ArgumentParser]) -> None:
    """`crowdfund serve [--host H] [--port P]`."""
    parser = commands.add_parser(
        "serve",
        parents=[parents["network"]],
        help="serve the gateway over HTTP: the backer page, the JSON API and its docs",
        description=f"Serve the gateway with uvicorn, {SETTINGS}; the node may also be named with "
        "--rpc-url or --network.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="the port to listen on (8000)")
    levels = ["critical", "error", "warning", "info", "debug"]
    parser.add_argument("--log-level", default="info", choices=levels, help="uvicorn's log level (info)")
    parser.set_defaults(run=_serve)


def index(commands: Commands, parents: dict[str, argparse.ArgumentParser]) -> None:
    """`crowdfund index [--once]`."""
    commands.add_parser(
        "index",
        parents=[parents["output"], parents["network"]],
        help="run the gateway's indexer alone, configured like the gateway",
        description=f"Follow the escrow's events into the index database, {SETTINGS}. Of all the "
        "processes indexing one database (this command and gateways with RUN_INDEXER on), one leads "
        "and the others wait to take over; --once is refused while another process leads.",
    ).add_argument("--once", action="store_true", help="catch up with the confirmed head, then exit")
    commands.choices["index"].set_defaults(run=_index)
