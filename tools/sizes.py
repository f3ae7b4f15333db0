"""Check the house limits on size (STYLE.md): no module over MAX_MODULE lines, no function over MAX_FUNCTION.

`python tools/sizes.py src tests bench` lists each file or function over its
limit and exits 1 if there is any; `make lint` runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE = 300
MAX_FUNCTION = 50


def oversized(path: Path) -> list[str]:
    text = path.read_text()
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE:
        found.append(f"{path}: {lines} lines (at most {MAX_MODULE})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION:
                found.append(f"{path}:{node.lineno}: {node.name} is {length} lines (at most {MAX_FUNCTION})")
    return found


def main(roots: list[str]) -> int:
    paths = [p for root in map(Path, roots) for p in ([root] if root.is_file() else sorted(root.rglob("*.py")))]
    found = [line for path in paths for line in oversized(path)]
    print("\n".join(found) or f"sizes: every module <= {MAX_MODULE} lines, every function <= {MAX_FUNCTION}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src", "tests", "bench", "tools"]))
