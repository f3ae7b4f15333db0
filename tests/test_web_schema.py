"""Property-based tests of the HTTP API against its own OpenAPI schema (schemathesis).

Generated requests, valid and invalid, must never get a 500, and every answer
must keep to the documented status codes, content types and response schemas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from numrec.faces.web.server import ErrorOut, PredictionOut, WebSettings, create_app
from numrec.faces.web.settings import LOOPBACK_HOSTS
from numrec.geometry import NUM_CLASSES
from numrec.read.recognizer import Recognizer
from numrec.read.results import DigitResult, Prediction
from support.models import model_path

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


# schemathesis and TestClient send Host "testserver": serve it besides the default loopback names.
SETTINGS = WebSettings(allowed_hosts=(*LOOPBACK_HOSTS, "testserver"))

# Built at import: schemathesis turns each operation of the schema into test cases.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Recognizer(model_path()), SETTINGS))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


# Schemathesis keeps mostly to the schema's ranges; this throws extreme but
# finite coordinates (the shapes are mostly right, so they reach the recognizer).
MAX_FLOAT = 1.7976931348623157e308
extremes = st.sampled_from([MAX_FLOAT, -MAX_FLOAT, 1e300, -1e300, 5e-324, 2**63, -(2**63), 0])
coordinates = extremes | st.floats(-1000, 1000) | st.floats(allow_nan=False, allow_infinity=False)
drawings = st.fixed_dictionaries(
    {
        "width": st.integers(1, 600) | st.integers(-(10**6), 10**6),
        "height": st.integers(1, 600) | st.integers(-(10**6), 10**6),
        "line_width": st.floats(0.5, 40) | coordinates,
        "strokes": st.lists(st.lists(st.tuples(coordinates, coordinates), min_size=1, max_size=8), max_size=3),
    }
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Recognizer(model_path()), SETTINGS)) as c:
        yield c


@given(body=drawings)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_extreme_strokes_get_an_answer_or_a_4xx_never_a_500(client: TestClient, body: dict[str, object]) -> None:
    r = client.post(
        "/api/predict/strokes", content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        PredictionOut.model_validate(r.json())
    else:
        ErrorOut.model_validate(r.json())


def test_the_openapi_lists_not_digit_as_a_status_and_each_digits_not_digit_probability(client: TestClient) -> None:
    shapes = client.get("/openapi.json").json()["components"]["schemas"]
    assert shapes["PredictionOut"]["properties"]["status"]["enum"] == ["ok", "unsure", "no_digit", "not_digit"]
    assert "not_digit" in shapes["PredictionOut"]["properties"]["status"]["description"]
    digit = shapes["DigitOut"]
    assert "not_digit" in digit["required"]
    assert digit["properties"]["not_digit"] == {
        "type": "number",
        "maximum": 1.0,
        "minimum": 0.0,
        "title": "Not Digit",
        "description": "probability that this segment is not a digit at all (0 for a model without it)",
    }
    refused = DigitResult(4, 0.6, tuple([0.04] * NUM_CLASSES), (1, 2, 3, 4), np.zeros((28, 28), np.float32), 0.9)
    answer = PredictionOut.model_validate(Prediction("not_digit", None, (refused,)).to_dict())
    assert answer.status == "not_digit" and answer.number is None and answer.digits[0].not_digit == 0.9
