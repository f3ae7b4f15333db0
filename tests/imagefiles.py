"""A shim so that `import imagefiles` still works: the code is in support/imagefiles.py (import support.imagefiles)."""

from support.imagefiles import *  # noqa: F403
