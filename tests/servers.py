"""A shim so that `import servers` still works: the code is in support/servers.py (import support.servers)."""

from support.servers import *  # noqa: F403
