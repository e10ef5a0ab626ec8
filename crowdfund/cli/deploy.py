"""`crowdfund deploy`: compile if needed, deploy the escrow and the milestone vault beside
it, record them in the registry.

From a checkout, a build older than contracts/ is compiled and exported into the package
first; an installed package deploys the artifact it ships.
"""

from __future__ import annotations

import json
import os
import subprocess
from argparse import ArgumentParser, _SubParsersAction
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eth_typing import HexStr

from crowdfund import artifacts, deployments, transactions
from crowdfund.cli.context import Context, Refused
from crowdfund.deploy import current, deploy_escrow, deploy_vault, vault_creation_code, vault_is_live
from crowdfund.deployments import Deployment
from crowdfund.project import BUILD_DIR, CONTRACTS_DIR, ROOT, in_checkout

BROWNIE = ROOT / ".venv-brownie" / "bin" / "brownie"
BUILT_DIR = BUILD_DIR / "contracts"
# What `crowdfund deploy` deploys: the escrow, then the milestone vault over it.
DEPLOYED = (artifacts.ESCROW, artifacts.VAULT)


def build_is_stale(artifact: Path, sources: Iterable[Path]) -> bool:
    """True when the build is missing or older than any source it is made from (or one of
    them is gone)."""
    if not artifact.exists():
        return True
    built = artifact.stat().st_mtime
    return any(not source.exists() or source.stat().st_mtime > built for source in sources)


def sources_of(name: str) -> list[Path]:
    """The files contract `name`'s build was compiled from, as brownie recorded them, and
    its own source: other contracts under contracts/ do not make it stale (brownie leaves
    an unchanged contract's build file as it was)."""
    own, built = CONTRACTS_DIR / f"{name}.sol", BUILT_DIR / f"{name}.json"
    if not built.exists():
        return [own]
    recorded = json.loads(built.read_text()).get("allSourcePaths", {}).values()
    return [own, *(ROOT / path for path in recorded)]


def _stale() -> bool:
    return any(build_is_stale(BUILT_DIR / f"{name}.json", sources_of(name)) for name in DEPLOYED)


def compile_if_needed(ctx: Context) -> bool:
    """In a checkout, run brownie's compile and the export (as `make compile` does) when the
    build is stale; returns whether it compiled. An installed package has nothing to
    compile: it deploys the artifact it ships."""
    if not in_checkout():
        return False
    # Checkout only: the pin lives in brownie-config.yaml.
    from crowdfund.compiler import pin

    if not _stale():
        # The build is current; the package's copy may still lag behind it.
        artifacts.export(BUILT_DIR, pin().via_ir)
        return False
    if not BROWNIE.exists():
        raise Refused(
            f"the build of the escrow or the vault ({BUILT_DIR.relative_to(ROOT)}) is missing or older than "
            "contracts/, "
            "and brownie is not installed here to compile it: run `make compile`"
        )
    ctx.out.line("compiling the contracts (brownie compile) ...")
    toolchain = ROOT / ".toolchain"
    env = {
        **os.environ,
        "PATH": f"{toolchain / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "SOLCX_BINARY_PATH": str(toolchain / "solcx"),
    }
    result = subprocess.run([str(BROWNIE), "compile"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not all((BUILT_DIR / f"{name}.json").exists() for name in DEPLOYED):
        said = (result.stdout + result.stderr).strip()[-2000:]
        raise Refused(f"brownie compile failed; run `make compile` to see why:\n{said}")
    artifacts.export(BUILT_DIR, pin().via_ir)
    return True


def run(ctx: Context) -> dict[str, Any]:
    compiled = compile_if_needed(ctx)
    existing = current(ctx.w3)
    if existing and ctx.args.if_missing:
        # `make run` deploys this way on every start: a live escrow is the expected case, and
        # a registry from before the vault gets one beside its escrow.
        if vault_is_live(ctx.w3, existing):
            ctx.out.line(
                f"escrow already deployed on chain {existing.chain_id} at {existing.address}, milestone "
                f"vault at {existing.vault_address}; nothing to do"
            )
            return ctx.document(compiled=compiled, deployed=False, deployment=asdict(existing))
        ctx.out.line(f"escrow already deployed on chain {existing.chain_id} at {existing.address}")
        return _deploy(ctx, compiled, existing)
    if existing and not ctx.args.force:
        raise Refused(
            f"the escrow is already deployed on chain {existing.chain_id} at {existing.address} (block "
            f"{existing.block}, recorded in {deployments.path_for(existing.chain_id)}); pass --force to "
            "deploy another one, which the registry then records instead (the old one keeps its campaigns)"
            + (
                ""
                if vault_is_live(ctx.w3, existing)
                else ", or --if-missing to add the milestone vault beside it"
            )
        )
    return _deploy(ctx, compiled, None)


def _deploy(ctx: Context, compiled: bool, escrow: Deployment | None) -> dict[str, Any]:
    """Deploy the escrow unless `escrow` is given, then the milestone vault over it."""
    if ctx.args.dry_run:
        if escrow is None:
            data = artifacts.load(artifacts.ESCROW)["bytecode"]
            ctx.transact(
                {"data": data}, what=f"deploy CrowdfundEscrow ({len(data) // 2 - 1:,} bytes of code)"
            )
            ctx.out.line("then the milestone vault over it")
        else:
            data = vault_creation_code(escrow.address)
            ctx.transact({"data": data}, what=f"deploy MilestoneVault ({len(data) // 2 - 1:,} bytes of code)")
        ctx.out.line("dry run: nothing was sent")
        return ctx.document(compiled=compiled)
    sender = ctx.signer
    what = "the escrow and its milestone vault" if escrow is None else "the milestone vault"
    ctx.out.line(f"deploying {what} on chain {ctx.chain_id} ({ctx.network.name}) from {ctx.account_address}")
    with transactions.watch(ctx.out.progress, confirmations=ctx.args.confirmations, timeout=ctx.args.timeout):
        try:
            if escrow is None:
                escrow = deploy_escrow(ctx.w3, sender, force=True)
                _record(ctx, "deploy CrowdfundEscrow", escrow.transaction, "escrow", escrow.address)
            deployment = deploy_vault(ctx.w3, sender, escrow)
        finally:
            ctx.out.done()
    assert deployment.vault_transaction is not None and deployment.vault_address is not None
    _record(
        ctx,
        "deploy MilestoneVault",
        deployment.vault_transaction,
        "milestone vault",
        deployment.vault_address,
    )
    path = deployments.path_for(deployment.chain_id)
    ctx.out.line(f"recorded in {path} (compiler {deployment.compiler}, ABI {deployment.abi_hash[:18]}…)")
    return ctx.document(
        compiled=compiled,
        deployed=True,
        deployment={**asdict(deployment), "registry_file": str(path)},
    )


def _record(ctx: Context, function: str, transaction: str, what: str, address: str) -> None:
    """Say where a deployment landed, and keep it for the JSON document."""
    receipt = ctx.w3.eth.get_transaction_receipt(HexStr(transaction))
    ctx.transactions.append(
        {
            "function": function,
            "hash": transaction,
            "block": receipt["blockNumber"],
            "gas_used": receipt["gasUsed"],
            "from": ctx.account_address,
        }
    )
    ctx.out.line(
        f"{what} deployed at {address} in block {receipt['blockNumber']}, gas used {receipt['gasUsed']:,}"
    )


def register(commands: _SubParsersAction[Any], parents: dict[str, ArgumentParser]) -> None:
    signing = [parents[name] for name in ("output", "network", "keystore", "sending")]
    parser = commands.add_parser(
        "deploy",
        parents=signing,
        help="deploy the escrow and its milestone vault, and record them in the deployment registry",
        description="Deploy the escrow and the milestone vault over it, and record them in the registry "
        "(deployments/<chain id>.json: addresses, blocks, transactions, compiler, ABI hashes). From a "
        "checkout whose build is missing or "
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
        help="deploy only what is missing on this chain (the escrow and the vault, or the vault beside a "
        "recorded escrow); otherwise do nothing and succeed",
    )
    parser.set_defaults(run=run, signs=True)
