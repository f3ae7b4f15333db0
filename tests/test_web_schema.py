"""Property-based tests of the HTTP API against its own OpenAPI schema (schemathesis).

Generated requests, valid and invalid, must never get a 500, and every answer
must keep to the documented status codes, content types and response schemas.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from numrec.card import SHIPPED_MODEL
from numrec.infer import Recognizer
from numrec.web import create_app

ROOT = Path(__file__).resolve().parents[1]
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def model_path() -> Path | None:
    for path in (SHIPPED_MODEL, ROOT / "runs" / "default" / "model.onnx"):
        if path.is_file():
            return None if path == SHIPPED_MODEL else path
    pytest.skip("no model yet: neither the shipped model nor runs/default/model.onnx exists", allow_module_level=True)


# Built at import: schemathesis turns each operation of the schema into test cases.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Recognizer(model_path())))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
