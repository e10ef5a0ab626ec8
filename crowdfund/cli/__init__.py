"""The `crowdfund` command: deploy the escrow and its milestone vault and run campaigns on
any network.

Exit codes: 0 done; 1 refused (by an escrow rule, the node, a wrong password, ...);
2 the command line is wrong (unknown option, network, account or token; a value that
does not parse).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points, version
from typing import Any

from requests.exceptions import RequestException
from web3.exceptions import TimeExhausted, Web3RPCError

from crowdfund.cli import (
    accounts,
    audit,
    campaigns,
    demo,
    deploy,
    milestones,
    publish,
    status,
    verify_answer,
    verify_code,
)
from crowdfund.cli.context import Context, Refused, UsageError
from crowdfund.cli.output import Output
from crowdfund.deploy import AlreadyDeployed
from crowdfund.deployments import DeploymentNotFound
from crowdfund.keystore import AccountNotFound, KeystoreError
from crowdfund.networks import LOCAL_NETWORK, LOCAL_RPC_URL, NetworkError, NodeUnreachable, UnknownNetwork
from crowdfund.tokens import PermitUnavailable
from crowdfund.transactions import TransactionRejected
from crowdfund.units import UnitError

OK, REFUSED, USAGE = 0, 1, 2

# Each module adds its commands to the parser with register(commands, parents).
COMMANDS = (deploy, campaigns, milestones, status, accounts, demo, publish, verify_code, audit, verify_answer)

# Other packages add commands through this entry-point group: each entry point names a
# function register(commands, parents), and its name is the command's. The gateway adds
# `serve` and `index` this way, so that the core never imports it.
PLUGINS = "crowdfund.commands"

# Options shared by several commands, accepted after the command's name (and the output
# and network options before it too). Their defaults are SUPPRESSed in these parents and
# set once on the main parser, so that a subcommand never resets a value given earlier.
DEFAULTS: dict[str, Any] = {
    "json": False,
    "network": None,
    "rpc_url": None,
    "keystore_dir": None,
    "password_file": None,
    "account": None,
    "dry_run": False,
    "confirmations": 1,
    "timeout": 300.0,
}


def _positive_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above zero")
    return value


def _option_groups() -> dict[str, argparse.ArgumentParser]:
    def group() -> argparse.ArgumentParser:
        return argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)

    output = group()
    output.add_argument("--json", action="store_true", help="print one JSON document (amounts in base units)")

    network = group()
    network.add_argument(
        "--network",
        metavar="NAME",
        help=f"a brownie network (~/.brownie/network-config.yaml), default {LOCAL_NETWORK} ({LOCAL_RPC_URL})",
    )
    network.add_argument(
        "--rpc-url",
        metavar="URL",
        help="the node's JSON-RPC URL (overrides --network; default $RPC_URL, as for the gateway)",
    )

    keystore = group()
    keystore.add_argument(
        "--keystore-dir",
        metavar="DIR",
        help="where keystore accounts live (default $CROWDFUND_KEYSTORE_DIR, else ~/.brownie/accounts)",
    )
    keystore.add_argument(
        "--password-file",
        metavar="PATH",
        help="read the keystore password from the first line of PATH (for automation) instead of asking",
    )

    sending = group()
    sending.add_argument(
        "--account",
        metavar="ID",
        help="the keystore account that signs; on the local chain (31337) anvil's dev0, dev1, ... "
        "(default dev0 there; required elsewhere)",
    )
    sending.add_argument(
        "--dry-run", action="store_true", help="simulate and print what would be sent; send nothing"
    )
    sending.add_argument(
        "--confirmations",
        type=_positive_int,
        metavar="N",
        help="blocks to wait for, the including one counted (1)",
    )
    sending.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="give up waiting after this long (300)"
    )
    return {"output": output, "network": network, "keystore": keystore, "sending": sending}


def build_parser() -> argparse.ArgumentParser:
    # Two sets of the option groups: parents share their action objects with the parsers
    # built from them, and the main parser's set_defaults below rewrites its actions'
    # defaults, which must stay SUPPRESSed in the commands.
    own, groups = _option_groups(), _option_groups()
    parser = argparse.ArgumentParser(
        prog="crowdfund",
        parents=[own["output"], own["network"]],
        description="All-or-nothing crowdfunding on Ethereum: deploy the escrow, create campaigns, pledge, "
        "claim and refund, or pay a creator in tranches that a majority of backers can halt, on the local "
        "chain by default or any network by name or URL.",
        epilog="Exit codes: 0 done, 1 refused (by an escrow rule, the node or a wrong password), "
        "2 wrong command line. `crowdfund COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"crowdfund {version('crowdfund')}")
    parser.set_defaults(**DEFAULTS)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(commands, groups)
    for plugin in entry_points(group=PLUGINS):
        try:
            register = plugin.load()
        except ImportError as exc:
            _unavailable(commands, plugin.name, plugin.dist.name if plugin.dist else plugin.value, exc)
        else:
            register(commands, groups)
    return parser


def _unavailable(commands: Any, name: str, dist: str, exc: ImportError) -> None:
    """A command whose package is installed without what it needs: it says so when run."""
    reason = f"`crowdfund {name}` needs {exc.name or exc}, which is not installed here; install the gateway "
    reason += f"with `pip install '{dist}[api]'`"

    def refuse(_: Context) -> dict[str, Any]:
        raise Refused(reason)

    parser = commands.add_parser(name, help=f"(not installed: pip install '{dist}[api]')", add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(run=refuse)


def _fail(out: Output, code: int, message: str, **detail: Any) -> int:
    out.error(message)
    if out.json_mode:
        kind = "usage" if code == USAGE else "refused"
        print(json.dumps({"error": {"kind": kind, "message": message, **detail}}, indent=2), file=out.out)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for a wrong command line, 0 after --help
        return int(exc.code or 0) if not isinstance(exc.code, str) else USAGE
    out = Output(args.json)
    ctx = Context(args, out)
    try:
        if getattr(args, "signs", False):
            ctx.account_address  # noqa: B018 - a wrong --account is reported before anything else
        out.document(args.run(ctx))
        return ctx.exit_code
    except TransactionRejected as exc:
        detail: dict[str, Any] = {}
        if exc.error is not None:
            detail = {"rule": exc.error.name, "args": {k: str(v) for k, v in exc.error.args.items()}}
            # In the campaign's units where it is known; --json keeps base units in "args".
            said = exc.error.message_in(ctx.amounts_in) if ctx.amounts_in else str(exc)
        else:  # a revert from outside the escrow's rules (a token, say), in the node's words
            said = f"{exc}" if exc.on_chain else f"the transaction would be reverted: {exc}"
        if exc.on_chain:
            said = f"reverted on chain, {exc.gas_used:,} gas spent: {said}"
            detail["gas_used"] = exc.gas_used
        return _fail(out, REFUSED, said, **detail)
    except (UsageError, UnitError, UnknownNetwork, AccountNotFound) as exc:
        return _fail(out, USAGE, str(exc))
    except (
        Refused,
        NodeUnreachable,
        NetworkError,
        KeystoreError,
        AlreadyDeployed,
        DeploymentNotFound,
        PermitUnavailable,
    ) as exc:
        return _fail(out, REFUSED, str(exc))
    except TimeExhausted as exc:
        return _fail(out, REFUSED, str(exc))
    except Web3RPCError as exc:
        # The node itself refused, e.g. not enough ETH for the gas.
        answer = exc.rpc_response.get("error") if isinstance(exc.rpc_response, dict) else None
        reason = str(answer.get("message") if isinstance(answer, dict) else exc)
        if "insufficient funds" in reason.lower() and "account_address" in ctx.__dict__:
            reason += f" ({ctx.account_address} needs ETH for the gas)"
        return _fail(out, REFUSED, f"the node refused: {reason}")
    except RequestException as exc:
        return _fail(out, REFUSED, f"lost the node at {ctx.network.display_url}: {type(exc).__name__}")
    except BrokenPipeError:
        # The reader went away (`crowdfund status --json | head`): the command did its work.
        # Python would otherwise complain again while flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except KeyboardInterrupt:
        out.done()
        print(
            "interrupted: a transaction already sent may still be mined (its hash is above)", file=sys.stderr
        )
        return 130
