"""Bad requests as 4xx JSON: every refusal, whoever raises it, is `{"detail": "..."}`.

A model that fails on one input (a foreign model whose logits overflow there) is the server's fault, not the
client's: 500 with the same JSON shape, words that name no file, and the model's own error in the log."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from numrec.read.model import ModelError

log = logging.getLogger("uvicorn.error")  # where uvicorn logs, at --log-level
MODEL_FAILED = "the model gave no usable answer for this drawing (the server's log says why)"


class ApiError(Exception):
    """A refused request: answered with `status`, `{"detail": message}` and any extra `headers`."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.headers)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    async def invalid_query(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return error_response(422, "; ".join(parts))

    async def model_error(request: Request, exc: Exception) -> Response:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return error_response(500, MODEL_FAILED)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(ModelError, model_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_query)
