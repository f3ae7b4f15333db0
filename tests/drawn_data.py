"""A shim so that `import drawn_data` still works: the code is in support/drawn_data.py (import support.drawn_data)."""

from support.drawn_data import *  # noqa: F403
