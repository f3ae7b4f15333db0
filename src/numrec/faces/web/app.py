"""The web app: the drawing page and an HTTP API around one Recognizer.

The app comes from `create_app(recognizer, settings)`; nothing is global, so
tests build apps with whatever recognizer and limits they need. Every bad
input gets a 4xx with a JSON body `{"detail": "..."}` (errors.py); bodies are
read by bodies.py, recognitions wait their turn at the gate (gate.py), and
every request and answer passes the Guard (security.py). The teach routes are
teach.py's, on when the recognizer has examples (`numrec serve --examples DIR`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from numrec.faces.web.bodies import (
    JSON_TYPES,
    MULTIPART,
    form_file,
    media_type,
    parse_strokes,
    prediction_json,
    read_body,
)
from numrec.faces.web.errors import ApiError, add_error_handlers
from numrec.faces.web.gate import Gate
from numrec.faces.web.schema import ERRORS, IMAGE_REQUEST, MULTI, PREVIEW, STROKES_REQUEST, PredictionOut
from numrec.faces.web.security import Guard, public_card
from numrec.faces.web.settings import WebSettings
from numrec.faces.web.teach import add_teach
from numrec.version import __version__

if TYPE_CHECKING:
    from numrec.read.recognizer import Recognizer

STATIC = Path(__file__).parent / "static"


def create_app(recognizer: Recognizer, settings: WebSettings | None = None) -> FastAPI:
    """The web app around one loaded recognizer (shared by all requests)."""
    limits = settings or WebSettings()
    # FastAPI's /docs and /redoc load their scripts from a CDN (blank offline);
    # /docs is our own page over the same /openapi.json instead.
    app = FastAPI(
        title="numrec",
        version=__version__,
        description="Handwritten digit and number recognition.",
        docs_url=None,
        redoc_url=None,
    )
    add_error_handlers(app)
    app.add_middleware(Guard, allowed_hosts=limits.allowed_hosts)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.gate = Gate(limits.max_concurrent, limits.max_queue)
    _add_pages(app)
    _add_api(app, recognizer, limits, app.state.gate)
    add_teach(app, recognizer, limits, app.state.gate)
    return app


def _add_pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        return FileResponse(STATIC / "api.html")

    @app.get("/healthz", summary="Liveness check")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}


def _add_api(app: FastAPI, recognizer: Recognizer, limits: WebSettings, gate: Gate) -> None:
    from numrec.read.images import ImageError, load_image

    def recognize_image(body: bytes, multi: bool, preview: bool) -> dict[str, Any]:
        try:
            return prediction_json(recognizer.predict(load_image(body), multi=multi), preview)
        except ImageError as e:
            raise ApiError(400, str(e)) from None

    def recognize_strokes(body: bytes, multi: bool, preview: bool) -> dict[str, Any]:
        return prediction_json(recognizer.predict(parse_strokes(body), multi=multi), preview)

    @app.post(
        "/api/predict",
        response_model=PredictionOut,
        responses=ERRORS,
        summary="Recognize an image (a digit or a number)",
        openapi_extra=IMAGE_REQUEST,
    )
    async def predict_image(request: Request, multi: bool = MULTI, preview: bool = PREVIEW) -> Response:
        kind = media_type(request)
        if kind != MULTIPART and not kind.startswith("image/"):
            raise ApiError(415, f"send an image (Content-Type image/png, image/jpeg, ...), not {kind!r}")
        body = await read_body(request, limits.max_image_bytes)
        if kind == MULTIPART:
            body = form_file(body, request.headers["content-type"])
        return JSONResponse(await gate.run(request, recognize_image, body, multi, preview))

    @app.post(
        "/api/predict/strokes",
        response_model=PredictionOut,
        responses=ERRORS,
        summary="Recognize a drawing sent as strokes",
        openapi_extra=STROKES_REQUEST,
    )
    async def predict_strokes(request: Request, multi: bool = MULTI, preview: bool = PREVIEW) -> Response:
        if media_type(request) not in JSON_TYPES:
            raise ApiError(415, f"send strokes as application/json, not {media_type(request)!r}")
        body = await read_body(request, limits.max_json_bytes)
        return JSONResponse(await gate.run(request, recognize_strokes, body, multi, preview))

    @app.get("/api/model", summary="The model card (what the model is and how it scored; nothing of the machine)")
    def model_card() -> dict[str, Any]:
        return public_card(recognizer.card)
