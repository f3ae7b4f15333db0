"""Request bodies in, prediction JSON out: bodies are counted before they are decoded.

Images go through `load_image` (which refuses too many pixels before decoding),
strokes through `Strokes.from_json`.
"""

from __future__ import annotations

import json
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
