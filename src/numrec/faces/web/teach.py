"""Teaching from the page: POST /api/teach (an image) or /api/teach/strokes (a drawing); GET /api/teach.

Teaching is on only when the server's Recognizer has examples (`numrec serve --examples DIR`, which
refuses a host beyond this machine unless --allow-remote-teaching says so). Off, the teach routes answer
403 before reading a byte, and nothing is written.

A teach request sends what the page sent for its reading (the same bodies, limits and `multi` as
/api/predict), with `label` (the digit it was) and `index` (which digit of the reading; 0 for a lone
digit). The server reads it again through the one reading path (Recognizer.predict) and keeps that
digit's 28x28 as an example of `label` (Taught.teach), in effect from the next reading on.

What one client can write is bounded: one example a request (a 28x28 PNG and a sidecar holding the
strokes, within the 2 MiB body; or the drawing's pixels, at most 1024 a side), at most the store's
limit (MAX_EXAMPLES) in the folder; past it, 507 and nothing written. An image is taken as image/*,
never as a form: a page on another site can post a form to a loopback server unasked, but not an
image/* or JSON body (that needs a CORS preflight, which this server never grants).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from numrec.faces.web.bodies import JSON_TYPES, media_type, parse_strokes, read_body
from numrec.faces.web.errors import ApiError
from numrec.faces.web.gate import Gate
from numrec.faces.web.schema import (
    MULTI,
    TEACH_ERRORS,
    TEACH_IMAGE_REQUEST,
    TEACH_STROKES_REQUEST,
    TaughtOut,
    TeachingOut,
)
from numrec.faces.web.settings import WebSettings
from numrec.geometry import NUM_CLASSES

if TYPE_CHECKING:
    from numrec.read.examples import Entry
    from numrec.read.recognizer import Recognizer
    from numrec.read.sources import Drawing
    from numrec.read.taught import Taught

OFF = "teaching is off on this server: numrec serve --examples DIR turns it on"
# An index has at most this many figures: a number is far shorter (and a huge one is no int to parse).
INDEX_FIGURES = 4
log = logging.getLogger("uvicorn.error")


def query_label(request: Request) -> int:
    """The `label` query parameter, a digit 0-9; ApiError 400 otherwise."""
    text = request.query_params.get("label")
    if text is None or len(text) != 1 or text not in "0123456789":
        got = "none given" if text is None else f"got {text[:20]!r}"
        raise ApiError(400, f"label must be the digit it was, 0-{NUM_CLASSES - 1}; {got}")
    return int(text)


def query_index(request: Request) -> int:
    """The `index` query parameter (default 0), a whole number; ApiError 400 otherwise."""
    text = request.query_params.get("index", "0")
    if not (text.isascii() and text.isdecimal()) or len(text) > INDEX_FIGURES:
        raise ApiError(400, f"index must be which digit of the reading it was, 0 the leftmost; got {text[:20]!r}")
    return int(text)


class Teacher:
    """Keeps examples one request at a time: the count under the store's limit and Taught's swap stay whole."""

    def __init__(self, recognizer: Recognizer, taught: Taught) -> None:
        self.recognizer = recognizer
        self.taught = taught
        self.lock = threading.Lock()
        # The folder is listed now (a full one: about 230 ms), so the first teach request costs no more
        # than the others (0.1 ms for the count). A folder that cannot be listed is said at the first teach.
        with contextlib.suppress(OSError):
            taught.examples.usage()

    def teach(self, source: Drawing, multi: bool, label: int, index: int) -> dict[str, Any]:
        """Read `source` again and keep its digit `index` as an example of `label`; what was learned."""
        with self.lock:
            reading = self.recognizer.predict(source, multi=multi)
            if index >= len(reading.digits):
                count = len(reading.digits)
                read = "no digit was read" if not count else f"the reading has {count} digit{'s' * (count > 1)}"
                raise ApiError(400, f"nothing to learn at index {index}: {read}")
            digit = reading.digits[index]
            entry = self._keep(digit.image, label, source, digit.box)
            examples = len(self.taught.neighbours)
        return {
            "label": label,
            "was": digit.digit,
            "index": index,
            "box": list(digit.box),
            "id": entry.id,
            "examples": examples,
        }

    def _keep(self, image: Any, label: int, source: Drawing, box: tuple[int, int, int, int]) -> Entry:
        from numrec.read.examples import ExampleError, ExamplesFull, ExampleTooLarge

        try:
            return self.taught.teach(image, label, source, box)
        except ExampleTooLarge as e:
            raise ApiError(413, f"{e}: nothing learned") from None
        except ExamplesFull as e:
            raise ApiError(507, f"this server keeps at most {e.most} and has them: nothing learned") from None
        except ExampleError as e:
            log.warning("numrec serve: %s", e)
            raise ApiError(507, "the server could not write the example: nothing learned (see its log)") from None


def add_teach(app: FastAPI, recognizer: Recognizer, limits: WebSettings, gate: Gate) -> None:
    """The teach routes; they answer 403 unless `recognizer` has examples."""
    from numrec.read.images import ImageError, load_image

    teacher = None if recognizer.taught is None else Teacher(recognizer, recognizer.taught)

    def on() -> Teacher:
        if teacher is None:
            raise ApiError(403, OFF)
        return teacher

    def from_image(body: bytes, multi: bool, label: int, index: int) -> dict[str, Any]:
        try:
            image = load_image(body)
        except ImageError as e:
            raise ApiError(400, str(e)) from None
        return on().teach(image, multi, label, index)

    def from_strokes(body: bytes, multi: bool, label: int, index: int) -> dict[str, Any]:
        return on().teach(parse_strokes(body), multi, label, index)

    common: dict[str, Any] = {"response_model": TaughtOut, "responses": TEACH_ERRORS}

    @app.post("/api/teach", **common, summary="Learn from a corrected image", openapi_extra=TEACH_IMAGE_REQUEST)
    async def teach_image(request: Request, multi: bool = MULTI) -> Response:
        on()
        kind = media_type(request)
        if not kind.startswith("image/"):
            raise ApiError(415, f"send the image as image/png, image/jpeg, ... (not a form), not {kind!r}")
        label, index = query_label(request), query_index(request)
        body = await read_body(request, limits.max_image_bytes)
        return JSONResponse(await gate.run(request, from_image, body, multi, label, index))

    @app.post(
        "/api/teach/strokes", **common, summary="Learn from a corrected drawing", openapi_extra=TEACH_STROKES_REQUEST
    )
    async def teach_strokes(request: Request, multi: bool = MULTI) -> Response:
        on()
        if media_type(request) not in JSON_TYPES:
            raise ApiError(415, f"send strokes as application/json, not {media_type(request)!r}")
        label, index = query_label(request), query_index(request)
        body = await read_body(request, limits.max_json_bytes)
        return JSONResponse(await gate.run(request, from_strokes, body, multi, label, index))

    @app.get("/api/teach", response_model=TeachingOut, summary="Whether this server learns from corrections")
    def teaching() -> dict[str, Any]:
        if teacher is None:
            return {"teaching": False, "examples": None, "limit": None}
        return {"teaching": True, "examples": len(teacher.taught.neighbours), "limit": teacher.taught.examples.limit}
