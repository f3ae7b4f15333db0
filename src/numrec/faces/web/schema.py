"""What the OpenAPI document (/openapi.json, /docs) says about the API.

The endpoints return Prediction.to_dict() directly (no second validation pass
per request); these models document it, and the tests check answers against them.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from numrec.geometry import IMAGE_SIZE, NUM_CLASSES
from numrec.read.strokes import MAX_CANVAS, MAX_COORD, MAX_LINE_WIDTH, MAX_POINTS, MAX_STROKES


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
        408: "body not received within the server's deadline",
        413: "body over the size limit",
        415: "wrong Content-Type",
        422: "strokes or query parameters out of range",
        503: "too many recognitions waiting: try again after Retry-After seconds",
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
IMAGE_REQUEST = {"requestBody": {"required": True, "content": {t: IMAGE_BODY for t in IMAGE_TYPES}}}
STROKES_REQUEST = {"requestBody": {"required": True, "content": {"application/json": {"schema": STROKES_SCHEMA}}}}

MULTI = Query(True, description="read a number (several digits); false: all ink is one digit")
PREVIEW = Query(False, description=f"add each digit's {IMAGE_SIZE}x{IMAGE_SIZE} model input as 'image'")
