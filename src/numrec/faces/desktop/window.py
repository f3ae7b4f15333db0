"""`numrec app`: the drawing window (Tk widgets only; the logic is in controller.py).

Strokes are painted as line segments between motion events with round caps
and joins, and kept as vectors that go to the recognizer: no screen grab, so it
works wherever Tk does. The window title carries the current verdict, which
screen readers and automation (our Xvfb tests) can read.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numrec.faces.desktop import style as st
from numrec.faces.desktop.controller import DIGIT_CANVAS, NUMBER_CANVAS, Controller
from numrec.faces.desktop.worker import Worker, load_recognizer
from numrec.faces.wording import percent
from numrec.geometry import IMAGE_SIZE, NUM_CLASSES, PIXEL_MAX

# numpy and Pillow are imported when first needed: the window shows before they load.
if TYPE_CHECKING:
    from PIL import Image

EXIT_NO_DISPLAY = 1
POLL_MS = 30  # how often the window checks for a finished recognition
PICTURE_TYPES = [("Images", "*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff"), ("All files", "*")]
SHORTCUTS = "Enter recognize   Esc clear   Ctrl+Z undo   Ctrl+N number mode   Ctrl+O open   Ctrl+S save"


def png_photo(tk: Any, image: Image.Image) -> Any:
    """A Tk PhotoImage from a Pillow image (PNG data: no ImageTk needed)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return tk.PhotoImage(data=base64.b64encode(out.getvalue()).decode("ascii"))


class App:
    """The Tk view: builds the widgets, forwards events, paints the controller's state."""

    def __init__(self, root: Any, controller: Controller) -> None:
        import tkinter as tk
        from tkinter import font

        self.tk, self.root, self.c = tk, root, controller
        # Tk's scaling is pixels per point: 96 dpi gives 4/3. Pixel sizes grow with it.
        self.f = max(1.0, round(float(root.tk.call("tk", "scaling")) * 72 / 96 * 4) / 4)
        base = font.nametofont("TkDefaultFont").actual()["family"]
        self.big = font.Font(family=base, size=st.HEADLINE_PT, weight="bold")
        self.mid = font.Font(family=base, size=12)
        self.photos: dict[str, Any] = {}
        self.number = tk.BooleanVar(value=controller.number_mode)
        self._build()
        self._bind()
        self.show_verdict()
        root.after(POLL_MS, self._poll)

    def px(self, value: float) -> int:
        return round(value * self.f)

    def _build(self) -> None:
        tk, root, pad = self.tk, self.root, self.px(st.PAD)
        root.configure(background=st.BACK)
        root.columnconfigure(0, weight=1)
        root.rowconfigure(0, weight=1)
        w, h = self._canvas_size()
        self.canvas = tk.Canvas(root, width=w, height=h, background=st.PAPER, cursor="pencil")
        self.canvas.configure(highlightthickness=1, highlightbackground=st.EDGE, highlightcolor=st.EDGE)
        self.canvas.grid(row=0, column=0, sticky="nsew", padx=(pad, 0), pady=(pad, 0))
        self.canvas.bind("<Configure>", lambda e: self._resized(e.width, e.height))
        self._build_panel(root, pad)
        self._build_buttons(root, pad)
        self.help = tk.Label(root, text=SHORTCUTS, fg=st.MUTED, bg=st.BACK, anchor="w")
        self.help.grid(row=2, column=0, columnspan=2, sticky="ew", padx=pad, pady=(0, pad))

    def _build_panel(self, root: Any, pad: int) -> None:
        tk = self.tk
        panel = tk.Frame(root, bg=st.BACK)
        panel.grid(row=0, column=1, sticky="n", padx=pad, pady=(pad, 0))
        top = tk.Frame(panel, bg=st.BACK)
        top.pack(anchor="w", fill="x")
        self.headline = tk.Label(top, font=self.big, bg=st.BACK, fg=st.INK, anchor="w")
        self.headline.pack(side="left", anchor="w")
        self.seen = tk.Label(top, bg=st.BACK, borderwidth=0)
        self.seen.pack(side="right", anchor="ne", padx=(pad, 0))
        self.detail = tk.Label(panel, font=self.mid, bg=st.BACK, fg=st.INK, justify="left", anchor="w")
        self.detail.configure(wraplength=self.px(st.BAR_WIDTH + 80), height=3)
        self.detail.pack(anchor="w", fill="x", pady=(0, pad // 2))
        self.bars = tk.Canvas(panel, width=self.px(st.BAR_WIDTH + 80), height=self.px(st.BAR_ROW) * NUM_CLASSES)
        self.bars.configure(background=st.BACK, highlightthickness=0)
        self.bars.pack(anchor="w")

    def _build_buttons(self, root: Any, pad: int) -> None:
        tk = self.tk
        row = tk.Frame(root, bg=st.BACK)
        row.grid(row=1, column=0, sticky="ew", padx=(pad, 0), pady=(pad, pad // 2))
        for text, action in (("Recognize", self.c.recognize), ("Clear", self.clear), ("Undo", self.undo)):
            tk.Button(row, text=text, command=action, width=8).pack(side="left", padx=(0, pad // 2))
        tail = tk.Frame(root, bg=st.BACK)
        tail.grid(row=1, column=1, sticky="w", padx=pad, pady=(pad, pad // 2))
        for text, on in (("Digit", False), ("Number", True)):
            radio = tk.Radiobutton(tail, text=text, variable=self.number, value=on, command=self._mode)
            radio.configure(bg=st.BACK, activebackground=st.BACK, highlightthickness=0)
            radio.pack(side="left")
        tk.Button(tail, text="Save...", command=self.save).pack(side="right")
        tk.Button(tail, text="Open...", command=self.open).pack(side="right", padx=(pad, pad // 2))

    def _bind(self) -> None:
        cv, root = self.canvas, self.root
        cv.bind("<ButtonPress-1>", lambda e: self._press(e.x, e.y))
        cv.bind("<B1-Motion>", lambda e: self._drag(e.x, e.y))
        cv.bind("<ButtonRelease-1>", lambda e: self.c.release())
        root.bind("<Return>", lambda e: self.c.recognize())
        root.bind("<KP_Enter>", lambda e: self.c.recognize())
        root.bind("<Escape>", lambda e: self.clear())
        root.bind("<Control-z>", lambda e: self.undo())
        root.bind("<Control-n>", lambda e: self._toggle_mode())
        root.bind("<Control-o>", lambda e: self.open())
        root.bind("<Control-s>", lambda e: self.save())
        root.protocol("WM_DELETE_WINDOW", self.close)

    # Drawing: paint each segment at once; the vectors live in the controller.
    def _press(self, x: int, y: int) -> None:
        had_picture = self.c.picture is not None
        self.c.press(x, y)
        if had_picture:
            self.redraw()
        r = self.c.drawing.line_width / 2
        self.canvas.create_oval(x - r, y - r, x + r, y + r, fill=st.INK, outline=st.INK, tags="ink")

    def _drag(self, x: int, y: int) -> None:
        start = self.c.drag(x, y)
        if start is not None:
            end = self.c.drawing.strokes[-1][-1]
            self._segment([start, end])

    def _segment(self, points: list[tuple[float, float]]) -> None:
        flat = [v for p in points for v in p]
        width = self.c.drawing.line_width
        self.canvas.create_line(*flat, fill=st.INK, width=width, capstyle="round", joinstyle="round", tags="ink")

    def redraw(self) -> None:
        """Repaint the canvas from the controller: picture or strokes, then digit boxes."""
        self.canvas.delete("all")
        if self.c.picture is not None:
            scale, dx, dy = self.c.picture_fit()
            w, h = self.c.picture.size
            shown = self.c.picture.convert("RGB").resize((max(1, round(w * scale)), max(1, round(h * scale))))
            self.photos["picture"] = png_photo(self.tk, shown)
            self.canvas.create_image(dx, dy, image=self.photos["picture"], anchor="nw")
        r = self.c.drawing.line_width / 2
        for stroke in self.c.drawing.strokes:
            x, y = stroke[0]
            self.canvas.create_oval(x - r, y - r, x + r, y + r, fill=st.INK, outline=st.INK, tags="ink")
            if len(stroke) > 1:
                self._segment(stroke)
        self._draw_boxes()

    def _draw_boxes(self) -> None:
        self.canvas.delete("box")
        if not self.c.number_mode and self.c.picture is None:
            return
        for i, (x, y, w, h) in enumerate(self.c.canvas_boxes()):
            self.canvas.create_rectangle(x, y, x + w, y + h, outline=st.ACCENT, width=self.px(2), tags="box")
            self.canvas.create_text(x + self.px(3), y, text=str(i + 1), anchor="sw", fill=st.ACCENT, tags="box")

    # Results.
    def show_verdict(self) -> None:
        v = self.c.verdict
        self.root.title(v.title)
        # Long numbers get smaller type so they never run into the image beside them.
        size = st.HEADLINE_PT * st.HEADLINE_FITS // max(len(v.headline), st.HEADLINE_FITS)
        self.big.configure(size=max(size, st.HEADLINE_MIN_PT))
        self.headline.configure(text=v.headline, fg=st.MUTED if v.status == "unsure" else st.INK)
        self.detail.configure(text=v.detail)
        self.photos["seen"] = self._seen_photo(v.image)
        self.seen.configure(image=self.photos["seen"])
        self._draw_bars(v.probabilities)
        self._draw_boxes()

    def _seen_photo(self, image: Any) -> Any:
        """The model's 28x28 input, enlarged with square pixels; black until there is one."""
        side = self.px(IMAGE_SIZE * st.ZOOM)
        if image is None:
            photo = self.tk.PhotoImage(width=side, height=side)
            photo.put("black", to=(0, 0, side, side))
            return photo
        from PIL import Image

        grey = Image.fromarray((image * PIXEL_MAX).astype("uint8"))
        return png_photo(self.tk, grey.resize((side, side), Image.Resampling.NEAREST))

    def _draw_bars(self, probabilities: tuple[float, ...]) -> None:
        bars, row, width, label = self.bars, self.px(st.BAR_ROW), self.px(st.BAR_WIDTH), self.px(20)
        bars.delete("all")
        best = max(range(len(probabilities)), key=probabilities.__getitem__, default=-1)
        for d in range(NUM_CLASSES):
            p = probabilities[d] if probabilities else 0.0
            y = d * row
            bars.create_text(0, y + row / 2, text=str(d), anchor="w", fill=st.INK, font=self.mid)
            bars.create_rectangle(label, y + 3, label + width, y + row - 3, fill=st.TRACK, outline="")
            colour = st.ACCENT if d == best else st.OTHER
            bars.create_rectangle(label, y + 3, label + max(1, p * width), y + row - 3, fill=colour, outline="")
            words = percent(p) if p >= 0.005 else ""  # leave the many near-zero rows quiet
            bars.create_text(label + width + self.px(6), y + row / 2, text=words, anchor="w", fill=st.MUTED)

    def _poll(self) -> None:
        if self.c.poll():
            self.show_verdict()
        self.root.after(POLL_MS, self._poll)

    # Commands.
    def clear(self) -> None:
        self.c.clear()
        self.redraw()
        self.show_verdict()

    def undo(self) -> None:
        self.c.undo()
        self.redraw()
        self.show_verdict()

    def _toggle_mode(self) -> None:
        self.number.set(not self.number.get())
        self._mode()

    def _mode(self) -> None:
        self.c.set_number_mode(bool(self.number.get()))
        w, h = self._canvas_size()
        self.canvas.configure(width=w, height=h)
        self.root.geometry("")  # let the window take the new canvas size
        self.clear()

    def _canvas_size(self) -> tuple[int, int]:
        w, h = NUMBER_CANVAS if self.c.number_mode else DIGIT_CANVAS
        return self.px(w), self.px(h)

    def _resized(self, width: int, height: int) -> None:
        self.c.drawing.resize(width, height)
        self.redraw()

    def open(self) -> None:
        from tkinter import filedialog

        name = filedialog.askopenfilename(parent=self.root, title="Open an image", filetypes=PICTURE_TYPES)
        if name:
            self.c.open_image(Path(name))
            self._show_notice()
            self.redraw()

    def save(self) -> None:
        from tkinter import filedialog

        name = filedialog.asksaveasfilename(
            parent=self.root, title="Save the drawing", defaultextension=".png", filetypes=[("PNG", "*.png")]
        )
        if name:
            self.c.save_png(Path(name))
            self._show_notice()

    def _show_notice(self) -> None:
        self.help.configure(text=self.c.notice or SHORTCUTS)
        self.root.after(4000, lambda: self.help.configure(text=SHORTCUTS))

    def close(self) -> None:
        self.c.worker.close()
        self.root.destroy()


def main(args: argparse.Namespace) -> int:
    model: str | None = getattr(args, "model", None)
    if model and not Path(model).is_file():
        raise FileNotFoundError(f"{model}: model file not found")
    try:
        import tkinter as tk
    except ImportError as e:
        print(f"numrec app: Tk is not available ({e}); run `numrec serve` to draw in a web browser", file=sys.stderr)
        return EXIT_NO_DISPLAY
    try:
        root = tk.Tk(className="numrec")
    except tk.TclError:
        print("numrec app: no display found; run `numrec serve` to draw in a web browser instead", file=sys.stderr)
        return EXIT_NO_DISPLAY
    worker = Worker(lambda: load_recognizer(model), start=False)
    App(root, Controller(worker))
    root.update()  # show the window first; the model (numpy, onnxruntime) loads behind it
    worker.start()
    root.mainloop()
    return 0
