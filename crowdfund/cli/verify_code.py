"""`crowdfund verify-code`: is the code at the escrow's and the vault's addresses this
checkout's contracts/, compiled with the pinned compiler and settings?

It recompiles the sources (so it runs from a checkout only: the installed package ships
compiled contracts, not the sources an auditor reads, and comparing with them would say
nothing about those sources) and compares runtime code with the code on chain, immutables
set aside and then checked, and the metadata hash, which pins every source file and
setting, compared on its own (crowdfund.verify holds the rule).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from web3 import Web3

from crowdfund import artifacts, deployments
from crowdfund.cli.campaigns import address
from crowdfund.cli.context import Context, Refused
from crowdfund.project import CONTRACTS_DIR, ROOT, in_checkout
from crowdfund.verify import Comparison, Verdict, compare, version_note

if TYPE_CHECKING:  # crowdfund.compiler is for checkouts: imported when run from one
    from crowdfund.compiler import RuntimeBuild

# The contracts `crowdfund deploy` puts on chain, in the order they are verified.
VERIFIED = (artifacts.ESCROW, artifacts.VAULT)
# The vault's immutable that names the escrow it pays from.
VAULT_ESCROW = "_escrow"


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    where: str  # how the address was chosen, for people


def _targets(ctx: Context) -> list[Target]:
    """The addresses named on the command line; with none, the registry's escrow and vault."""
    given = [
        Target(name, addr, "given")
        for name, addr in ((artifacts.ESCROW, ctx.args.address), (artifacts.VAULT, ctx.args.vault_address))
        if addr is not None
    ]
    if given:
        return given
    record = deployments.find(ctx.chain_id)
    if record is None:
        raise Refused(
            f"no escrow is recorded for chain {ctx.chain_id} ({deployments.path_for(ctx.chain_id)}); name "
            "the addresses to verify with --address ADDRESS (the escrow) and --vault-address ADDRESS"
        )
    found = [Target(artifacts.ESCROW, record.address, "registry")]
    if record.vault_address is not None:
        found.append(Target(artifacts.VAULT, record.vault_address, "registry"))
    return found


def _word_address(word: str) -> str | None:
    """The address in a 32-byte immutable word, or None when its upper bytes are not zero."""
    raw = bytes.fromhex(word.removeprefix("0x"))
    if len(raw) != 32 or any(raw[:12]):
        return None
    return Web3.to_checksum_address(raw[12:])


def _result(target: Target, build: RuntimeBuild, comparison: Comparison, pinned: str) -> dict[str, Any]:
    def trailer(which: Any) -> dict[str, Any] | None:
        return which.describe() if which is not None else None

    return {
        "contract": target.name,
        "address": target.address,
        "address_from": target.where,
        "source": build.source,
        "verdict": comparison.verdict.value,
        "identical": comparison.identical,
        "reason": comparison.reason or None,
        "runtime_size": {"on_chain": comparison.on_chain_size, "compiled": comparison.expected_size},
        "first_difference": comparison.first_difference,
        "metadata": {
            "on_chain": trailer(comparison.on_chain_trailer),
            "compiled": trailer(comparison.expected_trailer),
            # What the compiled metadata pins, to check a build's sources against by hand.
            "compiled_sources": build.pinned_sources(),
        },
        "compiler_note": version_note(comparison, pinned),
        "immutables": comparison.immutable_values,
        "findings": [],
    }


def _immutable_findings(results: list[dict[str, Any]]) -> None:
    """The vault's escrow, as its constructor wrote it, must be the escrow verified beside it."""
    escrow = next((r for r in results if r["contract"] == artifacts.ESCROW), None)
    for vault in (r for r in results if r["contract"] == artifacts.VAULT and VAULT_ESCROW in r["immutables"]):
        points_to = _word_address(vault["immutables"][VAULT_ESCROW])
        vault["vault_escrow"] = points_to
        if points_to is None:
            vault["findings"].append(
                f"its immutable {VAULT_ESCROW} holds {vault['immutables'][VAULT_ESCROW]}, which is no address"
            )
        elif escrow is not None and points_to != escrow["address"]:
            vault["findings"].append(
                f"its immutable {VAULT_ESCROW} names the escrow {points_to}, not {escrow['address']}"
            )
        if vault["findings"] and vault["identical"]:
            vault["identical"] = False
            vault["verdict"] = Verdict.IMMUTABLE_DIFFERS.value
            vault["reason"] = "; ".join(vault["findings"])


def _say(ctx: Context, result: dict[str, Any]) -> None:
    head = f"{result['contract']} at {result['address']}"
    on_chain = result["metadata"]["on_chain"] or {}
    compiled = result["metadata"]["compiled"] or {}
    if result["verdict"] == Verdict.IDENTICAL.value:
        extra = ""
        if result.get("vault_escrow"):
            extra = f"; its escrow (immutable {VAULT_ESCROW}) {result['vault_escrow']}"
        ctx.out.line(
            f"{head}: identical (runtime code {result['runtime_size']['on_chain']:,} bytes, "
            f"metadata {on_chain.get('ipfs')}{extra})"
        )
    elif result["verdict"] == Verdict.NO_CODE.value:
        ctx.out.line(f"{result['contract']}: no contract at {result['address']}")
    elif result["verdict"] == Verdict.IMMUTABLE_DIFFERS.value:
        ctx.out.line(
            f"{head}: DIFFERS: the runtime code is the compiled one "
            f"({result['runtime_size']['on_chain']:,} bytes, metadata {on_chain.get('ipfs')}), but "
            + "; ".join(result["findings"])
        )
    else:
        ctx.out.line(f"{head}: DIFFERS: {result['reason']}")
        ctx.out.line(
            f"  runtime code: {result['runtime_size']['on_chain']:,} bytes on chain, "
            f"{result['runtime_size']['compiled']:,} compiled"
        )
        ctx.out.line(
            f"  metadata on chain: {on_chain.get('ipfs') or 'none found'}"
            + (f" (solc {on_chain['solc']})" if on_chain.get("solc") else "")
        )
        ctx.out.line(f"  metadata compiled: {compiled.get('ipfs')}")
        if result["verdict"] == Verdict.METADATA_DIFFERS.value and on_chain.get("ipfs") != compiled.get(
            "ipfs"
        ):
            pinned = result["metadata"]["compiled_sources"]
            ctx.out.line(
                f"  the compiled metadata pins {len(pinned)} source files by keccak256 (--json lists them); "
                "the deployed build's metadata differs from it in a source or a setting"
            )
    if result["compiler_note"]:
        ctx.out.line(f"  {result['compiler_note']}")
    if result["verdict"] != Verdict.IMMUTABLE_DIFFERS.value:
        for finding in result["findings"]:
            ctx.out.line(f"  also: {finding}")


def run(ctx: Context) -> dict[str, Any]:
    if not in_checkout():
        raise Refused(
            "verify-code recompiles the contracts' sources, and this installation of crowdfund has none "
            "(it ships the contracts compiled): run it from a checkout of the project at the sources "
            "you mean to verify"
        )
    # Checkout only: the pin lives in brownie-config.yaml, compiling needs node_modules.
    from solcx.exceptions import SolcError

    from crowdfund.compiler import CompilerMissing, compile_runtime, pin

    targets = _targets(ctx)
    codes = {t.name: bytes(ctx.w3.eth.get_code(Web3.to_checksum_address(t.address))) for t in targets}
    compiler = pin()
    files = [CONTRACTS_DIR / f"{name}.sol" for name in VERIFIED]
    shown = ", ".join(str(f.relative_to(ROOT)) for f in files)
    settings = (
        f"solc {compiler.version}{' via IR' if compiler.via_ir else ''}, "
        + (f"optimizer {compiler.optimizer_runs:,} runs" if compiler.optimizer_enabled else "optimizer off")
        + f", EVM {compiler.evm_version}"
    )
    try:
        built = compile_runtime(
            *files, announce=lambda: ctx.out.note(f"compiling {shown} with {settings} ...")
        )
    except CompilerMissing as exc:
        raise Refused(str(exc)) from None
    except SolcError as exc:
        # Sources that do not compile (or an OpenZeppelin missing from node_modules/).
        raise Refused(f"solc could not compile {shown}: {exc.message}; `make compile` shows why") from None
    ctx.out.line(f"compared with {shown} in this checkout, compiled with {settings}")
    results = [
        _result(
            target,
            built[target.name],
            compare(codes[target.name], built[target.name].runtime_code, built[target.name].immutables),
            compiler.version,
        )
        for target in targets
    ]
    _immutable_findings(results)
    for result in results:
        _say(ctx, result)
    differing = [r["contract"] for r in results if not r["identical"]]
    if differing:
        ctx.exit_code = 1
        ctx.out.line(f"not identical: {', '.join(differing)}")
    else:
        ctx.out.line("identical: the code on chain is these sources compiled with these settings")
    return ctx.document(
        identical=not differing,
        compared_with={
            "sources": [str(f.relative_to(ROOT)) for f in files],
            "compiler": {
                "version": compiler.version,
                "via_ir": compiler.via_ir,
                "optimizer": compiler.optimizer,
                "evm_version": compiler.evm_version,
            },
        },
        contracts=results,
    )


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "verify-code",
        parents=[parents["output"], parents["network"]],
        help="check that the code at the escrow's and the vault's addresses is this checkout's contracts",
        description="Recompile contracts/ with the pinned compiler and settings and compare the result with "
        "the code at the escrow's and the milestone vault's addresses: the runtime code (immutables set "
        "aside, then checked: the vault must name the escrow verified) and the metadata hash, which pins "
        "every source file and setting. Says 'identical', or what differs. Exit 0 when identical, 1 "
        "otherwise. Runs from a checkout of the project (it compiles the sources).",
    )
    parser.add_argument(
        "--address",
        type=address,
        metavar="ADDRESS",
        help="the escrow to verify (default: the registry's escrow and vault for the chain)",
    )
    parser.add_argument(
        "--vault-address",
        type=address,
        metavar="ADDRESS",
        help="the milestone vault to verify (when either address is given, only the addresses given are "
        "verified, and the registry is not read)",
    )
    parser.set_defaults(run=run)
