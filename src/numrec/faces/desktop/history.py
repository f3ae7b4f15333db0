"""Undo and redo for the canvas: every change that loses work (a stroke, Clear, opening an image) can be taken back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from numrec.faces.desktop.drawing import Move, Point

if TYPE_CHECKING:
    from PIL import Image

# Steps kept; a hand drawing rarely needs more, and each holds only vectors (and a shared picture).
LIMIT = 200

Stroke = tuple[Point, ...]


@dataclass(frozen=True)
class Page:
    """What the canvas holds at one moment: strokes, or an opened picture (with no strokes over it)."""

    strokes: tuple[Stroke, ...] = ()
    picture: Image.Image | None = None

    @property
    def blank(self) -> bool:
        return not self.strokes and self.picture is None

    def moved(self, move: Move) -> Page:
        return Page(tuple(tuple(move(p) for p in s) for s in self.strokes), self.picture)


class History:
    """The pages before (undo) and after (redo) the one on the canvas."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._undo: list[Page] = []
        self._redo: list[Page] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def record(self, before: Page) -> None:
        """A change is about to replace `before`: keep it, and forget what could be redone."""
        self._undo.append(before)
        del self._undo[: -self.limit]
        self._redo.clear()

    def undo(self, now: Page) -> Page | None:
        if not self._undo:
            return None
        self._redo.append(now)
        return self._undo.pop()

    def redo(self, now: Page) -> Page | None:
        if not self._redo:
            return None
        self._undo.append(now)
        return self._redo.pop()

    def pages(self) -> list[Page]:
        return self._undo + self._redo

    def move(self, move: Move) -> None:
        """Move the ink of every kept page as the canvas's ink was moved (a mode switch)."""
        self._undo = [p.moved(move) for p in self._undo]
        self._redo = [p.moved(move) for p in self._redo]
