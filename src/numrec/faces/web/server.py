"""`numrec serve`: the drawing page and an HTTP API around one Recognizer.

The app comes from `create_app(recognizer, settings)`; nothing is global, so
tests build apps with whatever recognizer and limits they need. Every bad
input gets a 4xx with a JSON body `{"detail": "..."}`: bodies are counted
before they are decoded, images go through `load_image` (which refuses too
many pixels before decoding), strokes through `Strokes.from_json`.
Inference runs in worker threads, at most WebSettings.max_concurrent at once,
so a slow drawing never blocks the event loop; onnxruntime sessions may be
run from several threads at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anyio
import anyio.to_thread
import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from numrec.geometry import IMAGE_SIZE, NUM_CLASSES
from numrec.read.strokes import MAX_CANVAS, MAX_COORD, MAX_LINE_WIDTH, MAX_POINTS, MAX_STROKES, Strokes, StrokesError
from numrec.version import __version__

if TYPE_CHECKING:
    from numrec.read.recognizer import Recognizer
    from numrec.read.results import Prediction

STATIC = Path(__file__).parent / "static"
# `numrec serve --workers N` hands the model path to each worker process here.
MODEL_ENV = "NUMREC_SERVE_MODEL"
# Preview pixels are rounded: 3 decimals are finer than the 256 grey levels shown.
PREVIEW_DECIMALS = 3
JSON_TYPES = ("application/json",)
# Request line plus headers; browsers send a few KiB at most.
MAX_HEADER_BYTES = 64 * 1024
# Only the page's own files: no inline scripts, nothing fetched from elsewhere.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'"


@dataclass(frozen=True)
class WebSettings:
    # Largest image upload; a phone photo fits, a flood does not.
    max_image_bytes: int = 8 * 1024 * 1024
    # Largest strokes document: MAX_POINTS points as "[123.4,567.8]," need ~0.7 MB.
    max_json_bytes: int = 2 * 1024 * 1024
    # Recognitions run at once in one server process; more only queue. A 40 Mpx
    # image briefly needs hundreds of MB, so this (not the thread pool's 40)
    # bounds the memory: per process, so `--workers N` allows N times as many.
    max_concurrent: int = max(os.cpu_count() or 1, 1)


class ApiError(Exception):
    """A bad request: answered with `status` and `{"detail": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Response models: they document the API in OpenAPI; the endpoints return
# Prediction.to_dict() directly (no second validation pass per request).
class DigitOut(BaseModel):
    digit: int = Field(ge=0, lt=NUM_CLASSES)
    confidence: float = Field(ge=0, le=1)
    probabilities: list[float] = Field(min_length=NUM_CLASSES, max_length=NUM_CLASSES)
    box: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height in input pixels")
    image: list[list[float]] | None = Field(
        None, description=f"only with ?preview=1: the {IMAGE_SIZE}x{IMAGE_SIZE} input the model saw, 0..1"
    )


class PredictionOut(BaseModel):
    number: str | None
    digits: list[DigitOut]
    status: Literal["ok", "unsure", "no_digit"]


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "body is not a readable image or JSON document",
        413: "body over the size limit",
        415: "wrong Content-Type",
        422: "strokes or query parameters out of range",
    }.items()
}

COORD_SCHEMA = {"type": "number", "minimum": -MAX_COORD, "maximum": MAX_COORD}
POINT_SCHEMA = {"type": "array", "items": COORD_SCHEMA, "minItems": 2, "maxItems": 2}
STROKES_SCHEMA = {
    "type": "object",
    "required": ["width", "height", "line_width", "strokes"],
    "properties": {
        "width": {"type": "integer", "minimum": 1, "maximum": MAX_CANVAS},
        "height": {"type": "integer", "minimum": 1, "maximum": MAX_CANVAS},
        "line_width": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_LINE_WIDTH},
        "strokes": {
            "type": "array",
            "maxItems": MAX_STROKES,
            "items": {"type": "array", "items": POINT_SCHEMA},
            "description": f"strokes of [x, y] canvas points, at most {MAX_POINTS} points in all",
        },
    },
}
IMAGE_BODY = {"schema": {"type": "string", "format": "binary"}}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")  # documented; any image/* Pillow reads works


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


def _error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _error_response(exc.status, exc.message)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error_response(exc.status_code, str(exc.detail))

    async def invalid_query(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return _error_response(422, "; ".join(parts))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_query)


MULTI = Query(True, description="read a number (several digits); false: all ink is one digit")
PREVIEW = Query(False, description=f"add each digit's {IMAGE_SIZE}x{IMAGE_SIZE} model input as 'image'")


def create_app(recognizer: Recognizer, settings: WebSettings | None = None) -> FastAPI:
    """The web app around one loaded recognizer (shared by all requests)."""
    from numrec.read.images import ImageError, load_image

    limits = settings or WebSettings()
    slots = anyio.CapacityLimiter(limits.max_concurrent)
    # FastAPI's /docs and /redoc load their scripts from a CDN (blank offline);
    # /docs is our own page over the same /openapi.json instead.
    app = FastAPI(
        title="numrec",
        version=__version__,
        description="Handwritten digit and number recognition.",
        docs_url=None,
        redoc_url=None,
    )
    _add_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def recognize_image(body: bytes, multi: bool, preview: bool) -> dict[str, Any]:
        try:
            return prediction_json(recognizer.predict(load_image(body), multi=multi), preview)
        except ImageError as e:
            raise ApiError(400, str(e)) from None

    def recognize_strokes(body: bytes, multi: bool, preview: bool) -> dict[str, Any]:
        return prediction_json(recognizer.predict(parse_strokes(body), multi=multi), preview)

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": CSP})

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        return FileResponse(STATIC / "api.html", headers={"Content-Security-Policy": CSP})

    @app.post(
        "/api/predict",
        response_model=PredictionOut,
        responses=ERRORS,
        summary="Recognize an image (a digit or a number)",
        openapi_extra={"requestBody": {"required": True, "content": {t: IMAGE_BODY for t in IMAGE_TYPES}}},
    )
    async def predict_image(request: Request, multi: bool = MULTI, preview: bool = PREVIEW) -> Response:
        if not media_type(request).startswith("image/"):
            raise ApiError(415, f"send an image (Content-Type image/png, image/jpeg, ...), not {media_type(request)!r}")
        body = await read_body(request, limits.max_image_bytes)
        return JSONResponse(await anyio.to_thread.run_sync(recognize_image, body, multi, preview, limiter=slots))

    @app.post(
        "/api/predict/strokes",
        response_model=PredictionOut,
        responses=ERRORS,
        summary="Recognize a drawing sent as strokes",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": STROKES_SCHEMA}}}},
    )
    async def predict_strokes(request: Request, multi: bool = MULTI, preview: bool = PREVIEW) -> Response:
        if media_type(request) not in JSON_TYPES:
            raise ApiError(415, f"send strokes as application/json, not {media_type(request)!r}")
        body = await read_body(request, limits.max_json_bytes)
        return JSONResponse(await anyio.to_thread.run_sync(recognize_strokes, body, multi, preview, limiter=slots))

    @app.get("/api/model", summary="The model card")
    def model_card() -> dict[str, Any]:
        return recognizer.card

    @app.get("/healthz", summary="Liveness check")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes (`--workers N`)."""
    from numrec.read.recognizer import Recognizer

    return create_app(Recognizer(os.environ.get(MODEL_ENV) or None))


def main(args: argparse.Namespace) -> int:
    import uvicorn

    from numrec.read.recognizer import Recognizer

    recognizer = Recognizer(args.model)  # a bad model fails here, before binding
    print(f"numrec serve: http://{args.host}:{args.port}/ (API docs at /docs)", file=sys.stderr)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "access_log": False,
        # h11, not httptools: h11 caps the request line and headers (httptools
        # buffers a header of any size), and still serves > 500 req/s here.
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
    if args.workers > 1:
        del recognizer  # each worker process loads its own
        os.environ[MODEL_ENV] = args.model or ""
        uvicorn.run("numrec.faces.web.server:app_from_env", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(recognizer), **options)
    return 0
