"""What the OpenAPI document (/openapi.json, /docs) says about the API.

The endpoints return Prediction.to_dict() directly (no second validation pass
per request); these models document it, and the tests check answers against them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query
from pydantic import BaseModel, Field

from numrec.geometry import IMAGE_SIZE, NUM_CLASSES
from numrec.read.results import Status
from numrec.read.strokes import (
    DEFAULT_LINE_WIDTH_SHARE,
    MAX_CANVAS,
    MAX_COORD,
    MAX_LINE_WIDTH,
    MAX_POINTS,
    MAX_STROKES,
)


class DigitOut(BaseModel):
    digit: int = Field(ge=0, lt=NUM_CLASSES)
    confidence: float = Field(ge=0, le=1)
    probabilities: list[float] = Field(min_length=NUM_CLASSES, max_length=NUM_CLASSES)
    box: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height in input pixels")
    not_digit: float = Field(
        ge=0, le=1, description="probability that this segment is not a digit at all (0 for a model without it)"
    )
    image: list[list[float]] | None = Field(
        None, description=f"only with ?preview=1: the {IMAGE_SIZE}x{IMAGE_SIZE} input the model saw, 0..1"
    )


class PredictionOut(BaseModel):
    number: str | None
    digits: list[DigitOut]
    status: Status = Field(  # "ok" | "unsure" | "no_digit" | "not_digit": read.results.Status, its one home
        description="ok: every digit sure; unsure: one or more is not; no_digit: no ink that could be a digit; "
        "not_digit: ink, some of it not a digit (number is null, digits still lists each segment read)"
    )


class ErrorOut(BaseModel):
    detail: str


class TaughtOut(BaseModel):
    label: int = Field(ge=0, lt=NUM_CLASSES, description="the digit it was: what the example teaches")
    was: int = Field(ge=0, lt=NUM_CLASSES, description="the digit the reading made of it before")
    index: int = Field(ge=0, description="which digit of the reading was taught, 0 the leftmost")
    box: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height in input pixels")
    id: str = Field(
        description="the example's id: `numrec examples list` shows it, `numrec examples forget ID` removes it"
    )
    examples: int = Field(ge=0, description="the examples this server reads with now, this one included")


class TeachingOut(BaseModel):
    teaching: bool = Field(description="whether this server learns from corrections (numrec serve --examples DIR)")
    examples: int | None = Field(description="the examples it reads with now; null when teaching is off")
    limit: int | None = Field(description="the most examples it keeps; null when teaching is off")


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "body is not a readable image, form or JSON document",
        408: "body not received within the server's deadline",
        413: "body over the size limit",
        415: "wrong Content-Type",
        422: "strokes or query parameters out of range",
        503: "too many recognitions waiting: try again after Retry-After seconds",
    }.items()
}

TEACH_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {
        "model": ErrorOut,
        "description": "body is not a readable image or JSON document; label not 0-9; index not a digit of the reading",
    },
    413: {"model": ErrorOut, "description": "body over the size limit, or strokes too long to keep as an example"},
    403: {"model": ErrorOut, "description": "teaching is off on this server (numrec serve --examples DIR turns it on)"},
    507: {"model": ErrorOut, "description": "the server keeps its most examples already, or cannot write them"},
}

DEFAULT_BRUSH = f"1/{round(1 / DEFAULT_LINE_WIDTH_SHARE)}"
COORD_SCHEMA = {"type": "number", "minimum": -MAX_COORD, "maximum": MAX_COORD}
POINT_SCHEMA = {"type": "array", "items": COORD_SCHEMA, "minItems": 2, "maxItems": 2}
STROKES_SCHEMA = {
    "type": "object",
    "required": ["width", "height", "strokes"],
    "properties": {
        "width": {"type": "integer", "minimum": 1, "maximum": MAX_CANVAS},
        "height": {"type": "integer", "minimum": 1, "maximum": MAX_CANVAS},
        "line_width": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": MAX_LINE_WIDTH,
            "description": f"brush width in canvas pixels; default: {DEFAULT_BRUSH} of the shorter side",
        },
        "strokes": {
            "type": "array",
            "maxItems": MAX_STROKES,
            "items": {"type": "array", "items": POINT_SCHEMA},
            "description": f"strokes of [x, y] canvas points, at most {MAX_POINTS} points in all",
        },
    },
}
# Examples shown by /docs. A binary body has no JSON value: its examples say how to send one instead.
STROKES_EXAMPLES = {
    "seven": {
        "summary": "a 7 on a 280x280 canvas",
        "value": {"width": 280, "height": 280, "line_width": 16, "strokes": [[[80, 50], [200, 50], [120, 240]]]},
    },
    "default_brush": {
        "summary": "a 1 drawn with the default brush (no line_width)",
        "value": {"width": 280, "height": 280, "strokes": [[[140, 40], [140, 240]]]},
    },
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")  # documented; any image/* Pillow reads works
MULTIPART = "multipart/form-data"


def _image_body(media: str) -> dict[str, Any]:
    send = f"curl --data-binary @digit.{media.split('/')[1]} -H 'Content-Type: {media}' URL"
    example = {"summary": f"the bytes of one {media} file", "description": send}
    return {"schema": {"type": "string", "format": "binary"}, "examples": {"file": example}}


FORM_EXAMPLE = {"summary": "a form upload: its first file part is read", "description": "curl -F file=@digit.png URL"}
FORM_BODY = {
    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]},
    "examples": {"form": FORM_EXAMPLE},
}
IMAGE_REQUEST = {
    "requestBody": {"required": True, "content": {**{t: _image_body(t) for t in IMAGE_TYPES}, MULTIPART: FORM_BODY}}
}
STROKES_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": STROKES_SCHEMA, "examples": STROKES_EXAMPLES}},
    }
}

TEACH_PARAMETERS = [
    {
        "name": "label",
        "in": "query",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": NUM_CLASSES - 1},
        "description": "the digit it was",
    },
    {
        "name": "index",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
        "description": "which digit of the reading it was, 0 the leftmost (a number is taught digit by digit)",
    },
]
# An image to teach from is sent as image/*, never as a form: a page on another site may post a form
# to this server unasked, but not an image/* or JSON body (that needs a CORS preflight, never granted).
TEACH_IMAGE_REQUEST = {
    "requestBody": {"required": True, "content": {t: _image_body(t) for t in IMAGE_TYPES}},
    "parameters": TEACH_PARAMETERS,
}
TEACH_STROKES_REQUEST = {**STROKES_REQUEST, "parameters": TEACH_PARAMETERS}

MULTI = Query(True, description="read a number (several digits); false: all ink is one digit")
PREVIEW = Query(False, description=f"add each digit's {IMAGE_SIZE}x{IMAGE_SIZE} model input as 'image'")
