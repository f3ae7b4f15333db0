"""A shim so that `import models` still works: the code is in support/models.py (import support.models)."""

from support.models import *  # noqa: F403
