"""`crowdfund publish FILE`: store a campaign's document or image in a gateway's content
store and print the `ipfs://` link to put on chain (`crowdfund create --metadata`,
`crowdfund update`); and the same publishing for those two commands when they are given a
local document instead of a link."""

from __future__ import annotations

import os
from argparse import ArgumentParser, _SubParsersAction
from pathlib import Path
from typing import Any

import requests

from crowdfund import content
from crowdfund.cli.context import Context, Refused, UsageError
from crowdfund.networks import display_url
from crowdfund.publication import DocumentKind, NotPublishable, Publication, is_local_document, prepare

# The gateway `make run` serves.
LOCAL_GATEWAY = "http://127.0.0.1:8000"
TIMEOUT = 30.0  # seconds: 2 MiB over a slow uplink


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)


def post(gateway: str, source: Path, local: content.Content) -> bool:
    """Store `local` (read from `source`) in the content store of the gateway at `gateway`;
    whether it is new there. Refused, saying why, when the gateway does not answer, refuses
    it, or names other bytes than these."""
    where = display_url(gateway)
    try:
        response = requests.post(
            f"{gateway}/content",
            data=local.data,
            headers={"Content-Type": local.media_type},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise Refused(
            f"the gateway at {where} did not answer ({type(exc).__name__}); is it running "
            f"(`make run`), or is it elsewhere (--gateway URL)?"
        ) from None
    if response.status_code not in (200, 201):
        raise Refused(
            f"the gateway at {where} refused {source} ({response.status_code}): {_detail(response)}"
        )
    try:
        cid = str(response.json()["cid"])
    except (ValueError, KeyError, TypeError):
        raise Refused(f"the gateway at {where} answered {response.status_code} without a CID") from None
    if cid != local.cid:
        # A gateway that names other bytes than these would have the wrong content linked on chain.
        raise Refused(
            f"the gateway at {where} answered {cid} for {source}, whose bytes are {local.cid}; not using it"
        )
    return response.status_code == 201


def run(ctx: Context) -> dict[str, Any]:
    path = Path(ctx.args.file)
    gateway = ctx.args.gateway.rstrip("/")
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
    new = post(gateway, path, local)
    uri = content.uri_of(local.cid)
    ctx.out.line(f"{path}: {local.media_type}, {len(data):,} bytes")
    ctx.out.line(uri)
    return {
        "file": str(path),
        "cid": local.cid,
        "uri": uri,
        "media_type": local.media_type,
        "size": len(data),
        "gateway": display_url(gateway),
        "new": new,
    }


def link_to(ctx: Context, given: str, kind: DocumentKind) -> tuple[str, Publication | None]:
    """The link a command puts on chain for `given`: a link as written; for a local JSON
    document (`campaign.json`), the `ipfs://` link it will have once published, with what
    to publish (publish_parts). The document is checked here, before anything is sent: a
    refusal is a usage error naming the JSON path of its first problem."""
    if not is_local_document(given):
        return given, None
    try:
        publication = prepare(Path(given), kind)
    except NotPublishable as exc:
        raise UsageError(str(exc)) from None
    return publication.uri, publication


def publish_parts(ctx: Context, publication: Publication) -> list[dict[str, Any]]:
    """Publish a prepared document to the gateway of --gateway, its image first; under
    --dry-run, say what would be published as which link, and publish nothing."""
    gateway = ctx.args.gateway.rstrip("/")
    said: list[dict[str, Any]] = []
    for part in publication.parts:
        local = part.content
        size = f"{local.media_type}, {len(local.data):,} bytes"
        if ctx.args.dry_run:
            ctx.out.line(f"would publish {part.source} ({size}) to {display_url(gateway)} as {part.uri}")
        else:
            post(gateway, part.source, local)
            ctx.out.line(f"published {part.source} ({size}): {part.uri}")
        said.append(
            {
                "file": str(part.source),
                "cid": local.cid,
                "uri": part.uri,
                "media_type": local.media_type,
                "size": len(local.data),
            }
        )
    return said


def add_gateway_option(parser: ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--gateway",
        metavar="URL",
        default=os.environ.get("CROWDFUND_GATEWAY", LOCAL_GATEWAY),
        help=f"the gateway to store {what} in (default $CROWDFUND_GATEWAY, else {LOCAL_GATEWAY})",
    )


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
    add_gateway_option(parser, "it")
    parser.set_defaults(run=run)
