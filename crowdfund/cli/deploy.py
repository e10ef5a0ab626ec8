"""`crowdfund deploy`: compile if needed, deploy the escrow, record it in the registry.

From a checkout, a build older than contracts/ is compiled and exported into the package
first; an installed package deploys the artifact it ships.
"""

from __future__ import annotations

import json
import os
import subprocess
from argparse import ArgumentParser, _SubParsersAction
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eth_typing import HexStr

from crowdfund import artifacts, deployments, transactions
from crowdfund.cli.context import Context, Refused
from crowdfund.deploy import current, deploy_escrow
from crowdfund.project import BUILD_DIR, CONTRACTS_DIR, ROOT, in_checkout

BROWNIE = ROOT / ".venv-brownie" / "bin" / "brownie"
BUILT_ESCROW = BUILD_DIR / "contracts" / f"{artifacts.ESCROW}.json"


def build_is_stale(artifact: Path, sources: Iterable[Path]) -> bool:
    """True when the build is missing or older than any source it is made from (or one of
    them is gone)."""
    if not artifact.exists():
        return True
    built = artifact.stat().st_mtime
    return any(not source.exists() or source.stat().st_mtime > built for source in sources)


def escrow_sources() -> list[Path]:
    """The files the escrow's build was compiled from, as brownie recorded them, and the
    escrow's own source: other contracts under contracts/ do not make it stale (brownie
    leaves an unchanged contract's build file as it was)."""
    own = CONTRACTS_DIR / f"{artifacts.ESCROW}.sol"
    if not BUILT_ESCROW.exists():
        return [own]
    recorded = json.loads(BUILT_ESCROW.read_text()).get("allSourcePaths", {}).values()
    return [own, *(ROOT / path for path in recorded)]


def compile_if_needed(ctx: Context) -> bool:
    """In a checkout, run brownie's compile and the export (as `make compile` does) when the
    build is stale; returns whether it compiled. An installed package has nothing to
    compile: it deploys the artifact it ships."""
    if not in_checkout():
        return False
    # Checkout only: the pin lives in brownie-config.yaml.
    from crowdfund.compiler import pin

    if not build_is_stale(BUILT_ESCROW, escrow_sources()):
        # The build is current; the package's copy may still lag behind it.
        artifacts.export(BUILT_ESCROW.parent, pin().via_ir)
        return False
    if not BROWNIE.exists():
        raise Refused(
            f"the escrow's build ({BUILT_ESCROW.relative_to(ROOT)}) is missing or older than contracts/, "
            "and brownie is not installed here to compile it: run `make compile`"
        )
    ctx.out.line("compiling the escrow (brownie compile) ...")
    toolchain = ROOT / ".toolchain"
    env = {
        **os.environ,
        "PATH": f"{toolchain / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "SOLCX_BINARY_PATH": str(toolchain / "solcx"),
    }
    result = subprocess.run([str(BROWNIE), "compile"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not BUILT_ESCROW.exists():
        said = (result.stdout + result.stderr).strip()[-2000:]
        raise Refused(f"brownie compile failed; run `make compile` to see why:\n{said}")
    artifacts.export(BUILT_ESCROW.parent, pin().via_ir)
    return True


def run(ctx: Context) -> dict[str, Any]:
    compiled = compile_if_needed(ctx)
    existing = current(ctx.w3)
    if existing and ctx.args.if_missing:
        # `make run` deploys this way on every start: a live escrow is the expected case.
        ctx.out.line(
            f"escrow already deployed on chain {existing.chain_id} at {existing.address}; nothing to do"
        )
        return ctx.document(compiled=compiled, deployed=False, deployment=existing.__dict__)
    if existing and not ctx.args.force:
        raise Refused(
            f"the escrow is already deployed on chain {existing.chain_id} at {existing.address} (block "
            f"{existing.block}, recorded in {deployments.path_for(existing.chain_id)}); pass --force to "
            "deploy another one, which the registry then records instead (the old one keeps its campaigns)"
        )
    if ctx.args.dry_run:
        data = artifacts.load(artifacts.ESCROW)["bytecode"]
        ctx.transact({"data": data}, what=f"deploy CrowdfundEscrow ({len(data) // 2 - 1:,} bytes of code)")
        ctx.out.line("dry run: nothing was sent")
        return ctx.document(compiled=compiled)
    sender = ctx.signer
    ctx.out.line(
        f"deploying the escrow on chain {ctx.chain_id} ({ctx.network.name}) from {ctx.account_address}"
    )
    with transactions.watch(ctx.out.progress, confirmations=ctx.args.confirmations, timeout=ctx.args.timeout):
        try:
            deployment = deploy_escrow(ctx.w3, sender, force=True)
        finally:
            ctx.out.done()
    receipt = ctx.w3.eth.get_transaction_receipt(HexStr(deployment.transaction))
    ctx.transactions.append(
        {
            "function": "deploy CrowdfundEscrow",
            "hash": deployment.transaction,
            "block": deployment.block,
            "gas_used": receipt["gasUsed"],
            "from": ctx.account_address,
        }
    )
    path = deployments.path_for(deployment.chain_id)
    ctx.out.line(
        f"escrow deployed at {deployment.address} in block {deployment.block}, "
        f"gas used {receipt['gasUsed']:,}"
    )
    ctx.out.line(f"recorded in {path} (compiler {deployment.compiler}, ABI {deployment.abi_hash[:18]}…)")
    return ctx.document(
        compiled=compiled,
        deployed=True,
        deployment={**deployment.__dict__, "registry_file": str(path)},
    )


def register(commands: _SubParsersAction[Any], parents: dict[str, ArgumentParser]) -> None:
    signing = [parents[name] for name in ("output", "network", "keystore", "sending")]
    parser = commands.add_parser(
        "deploy",
        parents=signing,
        help="deploy the escrow and record it in the deployment registry",
        description="Deploy the escrow and record it in the registry (deployments/<chain id>.json: "
        "address, block, transaction, compiler, ABI hash). From a checkout whose build is missing or "
        "older than contracts/, compile first; an installed package deploys the escrow it ships. "
        "Refuses when the registry already holds a live escrow for the chain, unless --force or "
        "--if-missing.",
    )
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        "--force", action="store_true", help="deploy a new escrow even though one is recorded for this chain"
    )
    existing.add_argument(
        "--if-missing",
        action="store_true",
        help="deploy only when no live escrow is recorded for this chain; otherwise do nothing and succeed",
    )
    parser.set_defaults(run=run, signs=True)
