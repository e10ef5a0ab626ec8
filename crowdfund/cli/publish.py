"""`crowdfund publish FILE`: store a campaign's document or image in a gateway's content
store and print the `ipfs://` link to put on chain (`crowdfund create --metadata`,
`crowdfund update`)."""

from __future__ import annotations

import os
from argparse import ArgumentParser, _SubParsersAction
from pathlib import Path
from typing import Any

import requests

from crowdfund import content
from crowdfund.cli.context import Context, Refused, UsageError
from crowdfund.networks import display_url

# The gateway `make run` serves.
LOCAL_GATEWAY = "http://127.0.0.1:8000"
TIMEOUT = 30.0  # seconds: 2 MiB over a slow uplink


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)


def run(ctx: Context) -> dict[str, Any]:
    path = Path(ctx.args.file)
    gateway = ctx.args.gateway.rstrip("/")
    where = display_url(gateway)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise Refused(f"{path} cannot be read: {exc.strerror}") from None
    # Checked here first, by the same rule as the gateway's: a refusal says why at once.
    try:
        local = content.accepted(data)
    except content.ContentRefused as exc:
        raise Refused(f"{path}: {exc.reason}") from None
    try:
        response = requests.post(
            f"{gateway}/content",
            data=data,
            headers={"Content-Type": local.media_type},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise Refused(
            f"the gateway at {where} did not answer ({type(exc).__name__}); is it running "
            f"(`make run`), or is it elsewhere (--gateway URL)?"
        ) from None
    if response.status_code not in (200, 201):
        raise Refused(f"the gateway at {where} refused {path} ({response.status_code}): {_detail(response)}")
    try:
        cid = str(response.json()["cid"])
    except (ValueError, KeyError, TypeError):
        raise Refused(f"the gateway at {where} answered {response.status_code} without a CID") from None
    if cid != local.cid:
        # A gateway that names other bytes than these would have the wrong content linked on chain.
        raise Refused(
            f"the gateway at {where} answered {cid} for {path}, whose bytes are {local.cid}; not using it"
        )
    uri = content.uri_of(cid)
    ctx.out.line(f"{path}: {local.media_type}, {len(data):,} bytes")
    ctx.out.line(uri)
    return {
        "file": str(path),
        "cid": cid,
        "uri": uri,
        "media_type": local.media_type,
        "size": len(data),
        "gateway": where,
        "new": response.status_code == 201,
    }


def register(commands: _SubParsersAction[Any], parents: dict[str, ArgumentParser]) -> None:
    parser = commands.add_parser(
        "publish",
        parents=[parents["output"]],
        help="store a campaign's document or image in a gateway and print its ipfs:// link",
        description="Send FILE (a JSON document up to 256 KiB, or a PNG, JPEG or WebP image up to 2 MiB) "
        "to a gateway's content store and print its ipfs:// link (CIDv1, raw, sha2-256) for "
        "`crowdfund create --metadata` or `crowdfund update`. The CID is computed here too, and "
        "a gateway that answers another is refused.",
    )
    parser.add_argument("file", metavar="FILE", help="the document or image")
    parser.add_argument(
        "--gateway",
        metavar="URL",
        default=os.environ.get("CROWDFUND_GATEWAY", LOCAL_GATEWAY),
        help=f"the gateway to store it in (default $CROWDFUND_GATEWAY, else {LOCAL_GATEWAY})",
    )
    parser.set_defaults(run=run)
