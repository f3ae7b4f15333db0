"""A shim so that `import idxfiles` still works: the code is in support/idxfiles.py (import support.idxfiles)."""

from support.idxfiles import *  # noqa: F403
