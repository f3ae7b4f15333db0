"""The canvas as painted from the controller (Tk only): ink, an opened picture, a box round each digit.

Items are tagged for automation and tests: "ink" (all ink), "start" (one round
mark per stroke), "picture", and "box" with "box0", "box1" ... per digit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numrec.faces.desktop import style as st
from numrec.faces.desktop.controller import Controller
from numrec.faces.desktop.drawing import Point
from numrec.faces.desktop.panel import png_photo


class Sheet:
    """Paints the controller's drawing on a Tk canvas."""

    def __init__(self, tk: Any, canvas: Any, controller: Controller, px: Callable[[float], int]) -> None:
        self.tk, self.canvas, self.c, self.px = tk, canvas, controller, px
        self.photo: Any = None  # Tk forgets an image nobody holds

    def dot(self, x: float, y: float) -> None:
        """The pen's round mark where a stroke starts."""
        r = self.c.drawing.line_width / 2
        self.canvas.create_oval(x - r, y - r, x + r, y + r, fill=st.INK, outline=st.INK, tags=("ink", "start"))

    def segment(self, points: list[Point]) -> None:
        flat = [v for p in points for v in p]
        width = self.c.drawing.line_width
        self.canvas.create_line(*flat, fill=st.INK, width=width, capstyle="round", joinstyle="round", tags="ink")

    def redraw(self) -> None:
        """Repaint everything: picture or strokes, then digit boxes."""
        self.canvas.delete("all")
        picture = self.c.picture
        if picture is not None:
            scale, dx, dy = self.c.picture_fit()
            w, h = picture.size
            shown = picture.convert("RGB").resize((max(1, round(w * scale)), max(1, round(h * scale))))
            self.photo = png_photo(self.tk, shown)
            self.canvas.create_image(dx, dy, image=self.photo, anchor="nw", tags="picture")
        for stroke in self.c.drawing.strokes:
            self.dot(*stroke[0])
            if len(stroke) > 1:
                self.segment(stroke)
        self.boxes()

    def boxes(self) -> None:
        """A box round each digit of a number (or of an opened picture); the one whose bars show stands out."""
        self.canvas.delete("box")
        if not self.c.number_mode and self.c.picture is None:
            return
        for i, (x, y, w, h) in enumerate(self.c.canvas_boxes()):
            shown = i == self.c.verdict.focus
            colour, width = (st.ACCENT, self.px(3)) if shown else (st.OTHER, self.px(1))
            self.canvas.create_rectangle(x, y, x + w, y + h, outline=colour, width=width, tags=("box", f"box{i}"))
