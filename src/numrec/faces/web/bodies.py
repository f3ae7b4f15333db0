"""Request bodies in, prediction JSON out: bodies are counted before they are decoded.

Images go through `load_image` (which refuses too many pixels before decoding),
strokes through `Strokes.from_json`. A multipart/form-data upload (`curl -F
file=@x.png`) is split here by `form_file`, without python-multipart: the body
is already within the size limit when it is split.
"""

from __future__ import annotations

import json
from email.message import Message
from typing import TYPE_CHECKING, Any

import numpy as np
from fastapi import Request
from starlette.requests import ClientDisconnect

from numrec.faces.web.errors import ApiError
from numrec.read.strokes import Strokes, StrokesError

if TYPE_CHECKING:
    from numrec.read.results import Prediction

# Preview pixels are rounded: 3 decimals are finer than the 256 grey levels shown.
PREVIEW_DECIMALS = 3
JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"
# RFC 2046: a boundary is 1 to 70 characters.
MAX_BOUNDARY = 70


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise ApiError(413, f"body over the limit of {limit} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:  # a lying or absent Content-Length
                raise ApiError(413, f"body over the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        # The client hung up mid-upload: nobody is left to answer, and it is
        # no server fault worth a traceback in the log.
        raise ApiError(400, "client disconnected before the body was complete") from None
    return b"".join(chunks)


def _param(header: str, value: str, name: str) -> str | None:
    """Parameter `name` of a header value (quotes and RFC 2231 encoding undone), as the email package reads it."""
    message = Message()
    message[header] = value
    param = message.get_param(name, header=header)
    if isinstance(param, tuple):  # name*=charset''text
        return str(param[2])
    return param


def _is_file_part(head: bytes) -> bool:
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-disposition":
            return _param(name, value.strip(), "filename") is not None or _param(name, value.strip(), "name") == "file"
    return False


def form_file(body: bytes, content_type: str) -> bytes:
    """The content of the first file part of a multipart/form-data body; ApiError 400 if there is none.

    A file part is one whose Content-Disposition has a filename (or is named
    "file"); it must end at a boundary, so a truncated upload is refused.
    """
    boundary = _param("content-type", content_type, "boundary")
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise ApiError(400, "multipart/form-data without a valid boundary")
    # Each part starts after CRLF--boundary; the CRLF before the first one is optional, so one is added.
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    for index, segment in enumerate(segments[1:], start=1):
        if segment.startswith(b"--"):  # the closing delimiter
            break
        _, newline, rest = segment.partition(b"\r\n")  # transport padding, then the part's headers
        head, blank, content = rest.partition(b"\r\n\r\n")
        if not newline or not blank:
            raise ApiError(400, "malformed multipart/form-data part")
        if _is_file_part(head):
            if index == len(segments) - 1:
                raise ApiError(400, "multipart/form-data body ends inside its file part")
            return content
    raise ApiError(400, "multipart/form-data body has no file part")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_strokes(body: bytes) -> Strokes:
    try:
        obj = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as e:  # RecursionError: absurdly deep nesting
        raise ApiError(400, f"malformed JSON: {e}") from None
    try:
        return Strokes.from_json(obj)  # also bounds coordinates (MAX_COORD)
    except StrokesError as e:
        raise ApiError(422, str(e)) from None


def prediction_json(prediction: Prediction, preview: bool) -> dict[str, Any]:
    out = prediction.to_dict()
    if preview:
        for d, result in zip(out["digits"], prediction.digits, strict=True):
            d["image"] = np.round(result.image.astype(np.float64), PREVIEW_DECIMALS).tolist()
    return out
