"""The result beside the canvas (Tk widgets only): the answer in large type, the 28x28 the model saw,
plain words, in number mode one small preview per digit to pick from, one bar per class, and a row
of digits 0-9 that correct the reading (the shown digit was that one).

Widgets carry fixed names (.panel.detail, .panel.bars, .panel.digits.digit0, .panel.correct.d7 ...)
so that automation can read them through Tk's `send`, as the tests do.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from numrec.faces.desktop import style as st
from numrec.faces.desktop.verdict import DigitView, Verdict
from numrec.faces.wording import percent
from numrec.geometry import IMAGE_SIZE, NUM_CLASSES, PIXEL_MAX

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


Pick = Callable[[int], None]  # what a click on the i-th preview, or on digit d's button, runs


def png_photo(tk: Any, image: Image.Image) -> Any:
    """A Tk PhotoImage from a Pillow image (PNG data: no ImageTk needed)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return tk.PhotoImage(data=base64.b64encode(out.getvalue()).decode("ascii"))


def grey_photo(tk: Any, image: np.ndarray | None, side: int) -> Any:
    """A 28x28 model input enlarged to `side` with square pixels; black until there is one."""
    if image is None:
        photo = tk.PhotoImage(width=side, height=side)
        photo.put("black", to=(0, 0, side, side))
        return photo
    from PIL import Image

    grey = Image.fromarray((image * PIXEL_MAX).astype("uint8"))
    return png_photo(tk, grey.resize((side, side), Image.Resampling.NEAREST))


class Panel:
    """The result panel; `pick(i)` runs when the person picks the i-th digit's preview, `teach(d)` when they
    press the button of digit d."""

    def __init__(self, tk: Any, parent: Any, px: Callable[[float], int], pick: Pick, teach: Pick) -> None:
        from tkinter import font

        self.tk, self.px, self.pick, self.teach = tk, px, pick, teach
        base = font.nametofont("TkDefaultFont").actual()["family"]
        self.big = font.Font(family=base, size=st.HEADLINE_PT, weight="bold")
        self.mid = font.Font(family=base, size=12)
        self.photos: dict[str, Any] = {}
        self.thumbs: list[Any] = []
        self.focus = tk.IntVar(value=0)
        self._previewed: tuple[DigitView, ...] = ()
        self.frame = tk.Frame(parent, bg=st.BACK, name="panel")
        self._build(px(st.PANEL_WIDTH), px(st.PAD))

    def _build(self, width: int, pad: int) -> None:
        tk, frame = self.tk, self.frame
        top = tk.Frame(frame, bg=st.BACK, name="top")
        top.pack(anchor="w", fill="x")
        self.headline = tk.Label(top, name="headline", font=self.big, bg=st.BACK, fg=st.INK, anchor="w")
        self.headline.pack(side="left", anchor="w")
        self.seen = tk.Label(top, name="seen", bg=st.BACK, borderwidth=0)
        self.seen.pack(side="right", anchor="ne", padx=(pad, 0))
        # Wrapped to the panel's width (Tk breaks even a long path), never clipped.
        self.detail = tk.Label(frame, name="detail", font=self.mid, bg=st.BACK, fg=st.INK, justify="left")
        self.detail.configure(anchor="nw", wraplength=width, height=st.DETAIL_LINES)
        self.detail.pack(anchor="w", fill="x", pady=(0, pad // 2))
        # Number mode: the row of previews keeps its room, so the layout does not jump when they appear.
        self.digits = tk.Frame(frame, name="digits", bg=st.BACK, width=width, height=self.px(st.THUMB) + 10)
        self.digits.pack_propagate(False)
        self.caption = tk.Label(frame, name="shown", bg=st.BACK, fg=st.MUTED, anchor="w", justify="left")
        self.caption.configure(wraplength=width)
        self.bars = tk.Canvas(frame, name="bars", width=width, height=self.px(st.BAR_ROW) * NUM_CLASSES)
        self.bars.configure(background=st.BACK, highlightthickness=0)
        self.bars.pack(anchor="w")
        self.correct = self._correction_row(width, pad)

    def _correction_row(self, width: int, pad: int) -> Any:
        """Words saying which digit they correct, then one button per digit (.panel.correct.d0 ... d9)."""
        tk, row = self.tk, self.tk.Frame(self.frame, name="correct", bg=st.BACK)
        row.pack(anchor="w", fill="x", pady=(pad // 2, 0))
        self.correction = tk.Label(row, name="words", bg=st.BACK, fg=st.MUTED, anchor="w", wraplength=width)
        self.correction.pack(side="top", anchor="w", fill="x")
        self.teachers: list[Any] = []
        for d in range(NUM_CLASSES):
            button = tk.Button(row, name=f"d{d}", text=str(d), width=1, command=lambda d=d: self.teach(d))
            button.configure(padx=self.px(st.TEACH_PAD), pady=0, cursor="hand2")
            button.pack(side="left", padx=(0, self.px(st.TEACH_GAP)))
            self.teachers.append(button)
        keys = ("background", "foreground", "activebackground", "activeforeground")
        self._plain_look = {k: button.cget(k) for k in keys}
        self._taught_look = dict(zip(keys, (st.ACCENT, st.PAPER, st.ACCENT, st.PAPER), strict=True))
        return row

    def set_number_mode(self, on: bool) -> None:
        """Previews and their caption show in number mode only (a lone digit needs no choosing)."""
        if on:
            self.digits.pack(before=self.bars, anchor="w", fill="x")
            self.caption.pack(before=self.bars, anchor="w", fill="x", pady=(0, self.px(st.PAD) // 2))
        else:
            self.digits.pack_forget()
            self.caption.pack_forget()

    def show(self, v: Verdict, can_correct: bool) -> None:
        # Long numbers get smaller type so they never run into the image beside them.
        size = st.HEADLINE_PT * st.HEADLINE_FITS // max(len(v.headline), st.HEADLINE_FITS)
        self.big.configure(size=max(size, st.HEADLINE_MIN_PT))
        dim = v.status in ("unsure", "not_digit", "reading")
        self.headline.configure(text=v.headline, fg=st.MUTED if dim else st.INK)
        # An error has no bars: its words get all the room they need instead.
        error = v.status == "error"
        self.detail.configure(text=v.detail, height=0 if error else st.DETAIL_LINES)
        if error:
            self.bars.pack_forget()
            self.correct.pack_forget()
        elif not self.bars.winfo_manager():
            self.bars.pack(anchor="w")
            self.correct.pack(anchor="w", fill="x", pady=(self.px(st.PAD) // 2, 0))
        self.correction.configure(text=v.correction)
        for d, button in enumerate(self.teachers):  # the value taught stands out
            look = self._taught_look if d == v.taught_value else self._plain_look
            button.configure(state="normal" if can_correct else "disabled", **look)
        self.photos["seen"] = grey_photo(self.tk, v.image, self.px(IMAGE_SIZE * st.ZOOM))
        self.seen.configure(image=self.photos["seen"])
        self._show_previews(v)
        self.caption.configure(text=v.caption)
        self._draw_bars(v.probabilities)

    def _show_previews(self, v: Verdict) -> None:
        self.focus.set(v.focus)
        if v.digits is self._previewed:
            return  # only the focus moved: keep the buttons (one of them may be running this)
        self._previewed = v.digits
        for child in self.digits.winfo_children():
            child.destroy()
        self.thumbs = []
        count = len(v.digits) if len(v.digits) > 1 else 0
        gap = self.px(st.THUMB_GAP)
        side = min(max(self.px(st.PANEL_WIDTH) // max(count, 1) - gap, self.px(st.THUMB_MIN)), self.px(st.THUMB))
        for i, d in enumerate(v.digits[:count]):
            self.thumbs.append(grey_photo(self.tk, d.image, side))
            button = self.tk.Radiobutton(self.digits, name=f"digit{i}", image=self.thumbs[-1], variable=self.focus)
            button.configure(value=i, indicatoron=False, borderwidth=3, selectcolor=st.ACCENT, bg=st.BACK)
            button.configure(offrelief="flat", cursor="hand2", command=lambda i=i: self.pick(i))
            button.pack(side="left", padx=(0, gap // 2))

    def _draw_bars(self, probabilities: tuple[float, ...]) -> None:
        bars, row, width, label = self.bars, self.px(st.BAR_ROW), self.px(st.BAR_WIDTH), self.px(20)
        bars.delete("all")
        best = max(range(len(probabilities)), key=probabilities.__getitem__, default=-1)
        for d in range(NUM_CLASSES):
            p = probabilities[d] if probabilities else 0.0
            y = d * row
            tags = (f"d{d}", "best") if d == best else (f"d{d}",)
            bars.create_text(0, y + row / 2, text=str(d), anchor="w", fill=st.INK, font=self.mid, tags=tags)
            bars.create_rectangle(label, y + 3, label + width, y + row - 3, fill=st.TRACK, outline="")
            colour = st.ACCENT if d == best else st.OTHER
            bars.create_rectangle(label, y + 3, label + max(1, p * width), y + row - 3, fill=colour, outline="")
            words = percent(p) if p >= 0.005 else ""  # leave the many near-zero rows quiet
            x = label + width + self.px(6)
            bars.create_text(x, y + row / 2, text=words, anchor="w", fill=st.MUTED, tags=(f"p{d}",))
