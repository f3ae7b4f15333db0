"""`numrec serve` and its app, by the names the rest of numrec imports them from.

The parts: app.py (create_app and the routes), bodies.py (reading requests),
schema.py (the OpenAPI document), errors.py (4xx JSON), gate.py (the bounded
queue in front of the recognizer), teach.py (learning from corrections),
security.py (Host allow-list, security headers, HEAD), protocol.py (connection
deadlines and cap), settings.py (every limit), run.py (`numrec serve` itself).
"""

from __future__ import annotations

from numrec.faces.web.app import STATIC, create_app
from numrec.faces.web.bodies import parse_strokes, read_body
from numrec.faces.web.errors import ApiError
from numrec.faces.web.run import main
from numrec.faces.web.schema import DigitOut, ErrorOut, PredictionOut
from numrec.faces.web.security import CSP
from numrec.faces.web.settings import MAX_HEADER_BYTES, WebSettings

__all__ = [
    "CSP",
    "MAX_HEADER_BYTES",
    "STATIC",
    "ApiError",
    "DigitOut",
    "ErrorOut",
    "PredictionOut",
    "WebSettings",
    "create_app",
    "main",
    "parse_strokes",
    "read_body",
]
