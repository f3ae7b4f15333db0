"""Limits every face applies to what a person sends: one home, so the page, the API and `predict` agree."""

from __future__ import annotations

# An image file or upload: a phone photo is 2-8 MB; more is refused before it is decoded.
MAX_IMAGE_BYTES = 8 * 1024 * 1024
