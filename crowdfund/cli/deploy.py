"""`crowdfund deploy`: compile if needed, deploy the escrow, record it in the registry."""

from __future__ import annotations

import json
import os
import subprocess
from argparse import ArgumentParser, _SubParsersAction
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eth_typing import HexStr

from crowdfund import abi, deployments, transactions
from crowdfund.cli.context import Context, Refused
from crowdfund.deploy import current, deploy_escrow
from crowdfund.project import ROOT

CONTRACTS = ROOT / "contracts"
BROWNIE = ROOT / ".venv-brownie" / "bin" / "brownie"


def build_is_stale(artifact: Path, sources: Iterable[Path]) -> bool:
    """True when the build is missing or older than any source it is made from."""
    if not artifact.exists():
        return True
    built = artifact.stat().st_mtime
    return any(source.stat().st_mtime > built for source in sources)


def compile_if_needed(ctx: Context) -> bool:
    """Run brownie's compile (as `make compile` does) when the build is stale; returns
    whether it compiled."""
    if not build_is_stale(abi.ARTIFACT, CONTRACTS.rglob("*.sol")):
        return False
    if not BROWNIE.exists():
        raise Refused(
            f"the escrow's build ({abi.ARTIFACT.relative_to(ROOT)}) is missing or older than contracts/, "
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
    if result.returncode != 0 or not abi.ARTIFACT.exists():
        raise Refused(f"brownie compile failed; run `make compile` to see why:\n{result.stdout[-2000:]}")
    abi.export()
    return True


def run(ctx: Context) -> dict[str, Any]:
    compiled = compile_if_needed(ctx)
    existing = current(ctx.w3)
    if existing and not ctx.args.force:
        raise Refused(
            f"the escrow is already deployed on chain {existing.chain_id} at {existing.address} (block "
            f"{existing.block}, recorded in {deployments.path_for(existing.chain_id)}); pass --force to "
            "deploy another one, which the registry then records instead (the old one keeps its campaigns)"
        )
    if ctx.args.dry_run:
        bytecode = json.loads(abi.ARTIFACT.read_text())["bytecode"]
        data = bytecode if bytecode.startswith("0x") else "0x" + bytecode
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
        deployment={**deployment.__dict__, "registry_file": str(path)},
    )


def register(commands: _SubParsersAction[Any], parents: dict[str, ArgumentParser]) -> None:
    signing = [parents[name] for name in ("output", "network", "keystore", "sending")]
    parser = commands.add_parser(
        "deploy",
        parents=signing,
        help="deploy the escrow and record it in the deployment registry",
        description="Compile the escrow if its build is missing or stale, deploy it, and record it in "
        "the registry (deployments/<chain id>.json: address, block, transaction, compiler, ABI hash). "
        "Refuses when the registry already holds a live escrow for the chain, unless --force.",
    )
    parser.add_argument(
        "--force", action="store_true", help="deploy a new escrow even though one is recorded for this chain"
    )
    parser.set_defaults(run=run, signs=True)
