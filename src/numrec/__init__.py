"""numrec: draw a digit or a number, get it read, with calibrated confidence."""

from __future__ import annotations

__version__ = "0.1.0"
