"""docs/ARCHITECTURE.md names every module of the package, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "ARCHITECTURE.md"


def test_architecture_doc_lists_exactly_the_modules_in_the_tree() -> None:
    named = set(re.findall(r"`(src/numrec/[\w/]+\.py)`", DOC.read_text()))
    modules = {
        str(p.relative_to(REPO))
        for p in (REPO / "src" / "numrec").rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    }
    assert not modules - named, f"modules missing from docs/ARCHITECTURE.md: {sorted(modules - named)}"
    assert not named - modules, f"docs/ARCHITECTURE.md names modules that do not exist: {sorted(named - modules)}"
