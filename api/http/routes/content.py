"""POST /content stores a campaign's document or image; GET /content/{cid} serves content
by its CID, checked against it, from the store or fetched from the IPFS gateway.

Content is served by the gateway itself, with the headers that keep it inert: a type the
browser may not second-guess, and a policy under which a document opened as a page runs
nothing. A CID names one content for ever, so its answer may be cached for ever."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse

from crowdfund.content import (
    KIND_OF_MEDIA_TYPE,
    MEDIA_TYPES,
    ContentMismatch,
    ContentRefused,
    Kind,
    parse_cid,
    uri_of,
)

from ...node.ipfs import IpfsBadAnswer, IpfsTimeout, IpfsUnavailable
from ...services import content
from .. import schemas
from ..dependencies import GatewayDep
from ..ratelimit import TOO_MANY, rate_limited

router = APIRouter(prefix="/content", tags=["content"])

SERVED = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    # Opened as a page, a document (or anything else) runs nothing and loads nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
# What the upload refusals answer, by the rule the content broke.
REFUSED_STATUS = {"unsupported": 415, "malformed": 422, "too_large": 413}
ACCEPTED_TYPES = ", ".join(MEDIA_TYPES.values())
BYTES: dict[str, Any] = {
    media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()
}
# A document is any JSON object: the store keeps bytes, and whether they are a valid campaign
# or update document (docs/metadata.schema.json) is said where a link to them is shown.
BYTES["application/json"] = {"schema": {"type": "object"}}
Cid = Annotated[
    str,
    Path(
        description="a CIDv1, raw codec, sha2-256, in base32",
        examples=["bafkreibh5oav3wpiuvfel5helmt2gl6d5cv67ggclz5linaoqdx4tdc7eu"],
    ),
]


def _problem(status: int, detail: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _declared_kind(request: Request) -> Kind:
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = KIND_OF_MEDIA_TYPE.get(declared)
    if kind is None:
        said = f"was sent as {declared}" if declared else "was sent without a Content-Type"
        raise HTTPException(415, f"the body {said}; the content accepted is {ACCEPTED_TYPES}")
    return kind


async def _uploads_allowed(request: Request) -> None:
    if not request.app.state.settings.content_uploads:
        raise HTTPException(
            403, "this gateway is read-only (CONTENT_UPLOADS=false): it stores no content; publish elsewhere"
        )


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the bytes: a JSON document (an object, up to 256 KiB) or a PNG, JPEG or WebP "
        "image (up to 2 MiB), with its Content-Type",
        "content": BYTES,
    }
}


@router.post(
    "",
    status_code=201,
    response_model=schemas.StoredContent,
    openapi_extra=UPLOAD_BODY,
    dependencies=[Depends(_uploads_allowed), rate_limited("content")],
    responses={
        200: {"model": schemas.StoredContent, "description": "the same bytes were stored already"},
        403: {"model": schemas.Problem, "description": "this gateway is read-only"},
        413: {"model": schemas.Problem, "description": "longer than its kind may be"},
        415: {
            "model": schemas.Problem,
            "description": "not a JSON document or a PNG, JPEG or WebP image (SVG and HTML are refused), "
            "or not the type it was sent as",
        },
        422: {"model": schemas.Problem, "description": "a document that is not JSON, or not an object"},
        503: {"model": schemas.Problem, "description": "the store cannot be written now"},
        **TOO_MANY,
    },
)
async def store(request: Request, gateway: GatewayDep) -> Any:
    """Store a campaign's document or image: 201 with its CID and `ipfs://` link, or 200 with
    the same when these bytes were stored already. What the bytes are is told from them; it
    must agree with the Content-Type."""
    declared = _declared_kind(request)
    data = await request.body()
    try:
        found, added = await content.publish(gateway, data, declared)
    except ContentRefused as exc:
        return _problem(REFUSED_STATUS[exc.problem], f"{exc.reason}; nothing was stored")
    answer = schemas.StoredContent(cid=found.cid, uri=uri_of(found.cid))
    return JSONResponse(
        answer.model_dump(), status_code=201 if added else 200, headers={"Location": f"/content/{found.cid}"}
    )


@router.get(
    "/{cid}",
    response_class=Response,
    responses={
        200: {
            "description": "the content, checked against its CID; cacheable for ever (ETag: the CID)",
            "content": BYTES,
        },
        304: {"description": "the client holds this content already (If-None-Match)"},
        404: {"model": schemas.Problem, "description": "neither in the store nor at the IPFS gateway"},
        422: {
            "model": schemas.Problem,
            "description": "not a CIDv1 raw sha2-256 in base32 (the reason says which part is wrong)",
        },
        502: {
            "model": schemas.Problem,
            "description": "the IPFS gateway sent bytes that are not this CID's, too many bytes, or "
            "content that is not accepted (nothing is stored)",
        },
        503: {"model": schemas.Problem, "description": "the store or the IPFS gateway cannot answer now"},
        504: {"model": schemas.Problem, "description": "the IPFS gateway did not answer in time"},
    },
)
async def serve(cid: Cid, request: Request, gateway: GatewayDep) -> Response:
    """The content `cid` names: from this gateway's store, or, when an IPFS gateway is
    configured, fetched from it in the trustless raw format, checked against the CID and
    stored. Bytes that fail the check are never served."""
    try:
        parse_cid(cid)
    except ValueError as exc:
        return _problem(422, str(exc))
    etag = f'"{cid}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={**SERVED, "ETag": etag})
    retry = gateway.retry_after
    try:
        found = await content.verified(gateway, cid)
    except content.ContentNotFound as exc:
        return _problem(404, str(exc))
    except ContentMismatch as exc:
        return _problem(502, f"the IPFS gateway lied: {exc}; nothing was stored")
    except ContentRefused as exc:
        return _problem(502, f"the content of {cid} is not served: {exc.reason}")
    except IpfsBadAnswer as exc:
        return _problem(502, str(exc))
    except IpfsTimeout as exc:
        return _problem(504, str(exc), retry)
    except IpfsUnavailable as exc:
        return _problem(503, str(exc), retry)
    return Response(found.data, media_type=found.media_type, headers={**SERVED, "ETag": etag})
