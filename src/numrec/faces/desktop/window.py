"""`numrec app`: the drawing window (Tk widgets only; the logic is in controller.py).

Strokes are painted as line segments between motion events with round caps
and joins, and kept as vectors that go to the recognizer: no screen grab, so it
works wherever Tk does. For screen readers and automation (our Xvfb tests) the
window title carries the current verdict, the Tk application is named "numrec"
and its widgets have fixed names (.canvas, .edit.undo, .panel.detail ...), so a
tool can read any of them with Tk's `send`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numrec.faces.desktop import keys
from numrec.faces.desktop import style as st
from numrec.faces.desktop.controller import Controller
from numrec.faces.desktop.controls import build_controls
from numrec.faces.desktop.drawing import canvas_size
from numrec.faces.desktop.panel import Panel
from numrec.faces.desktop.sheet import Sheet
from numrec.faces.desktop.worker import Reader, Worker, load_recognizer, reason

if TYPE_CHECKING:
    from numrec.read.examples import Examples

EXIT_NO_DISPLAY = 1
POLL_MS = 30  # how often the window checks for a finished recognition
PICTURE_TYPES = [("Images", "*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff"), ("All files", "*")]


class App:
    """The Tk view: builds the widgets, forwards events, paints the controller's state."""

    def __init__(self, root: Any, controller: Controller) -> None:
        import tkinter as tk

        self.tk, self.root, self.c = tk, root, controller
        # Tk's scaling is pixels per point: 96 dpi gives 4/3. Pixel sizes grow with it.
        self.f = max(1.0, round(float(root.tk.call("tk", "scaling")) * 72 / 96 * 4) / 4)
        self.system = str(root.tk.call("tk", "windowingsystem"))
        self.shortcuts = keys.help_lines(self.system)
        self.number = tk.BooleanVar(value=controller.number_mode)
        self.pen = tk.IntVar(value=controller.drawing.pen)
        self._notice_job: str | None = None
        root.withdraw()  # unmapped while built and measured, so it never shows half-made
        self._build()
        self._bind()
        self.show_verdict()
        self._fit_min_size()
        root.deiconify()
        root.after(POLL_MS, self._poll)

    def px(self, value: float) -> int:
        return round(value * self.f)

    def _build(self) -> None:
        tk, root, pad = self.tk, self.root, self.px(st.PAD)
        root.configure(background=st.BACK)
        root.columnconfigure(0, weight=1)
        root.rowconfigure(0, weight=1)
        w, h = self._canvas_size()
        self.canvas = tk.Canvas(root, name="canvas", width=w, height=h, background=st.PAPER, cursor="pencil")
        self.canvas.configure(highlightthickness=1, highlightbackground=st.EDGE, highlightcolor=st.EDGE)
        self.canvas.grid(row=0, column=0, sticky="nsew", padx=(pad, 0), pady=(pad, 0))
        self.canvas.bind("<Configure>", lambda e: self._resized(e.width, e.height))
        self.sheet = Sheet(tk, self.canvas, self.c, self.px)
        self.panel = Panel(tk, root, self.px, self.pick_digit, self.teach)
        self.panel.frame.grid(row=0, column=1, sticky="n", padx=pad, pady=(pad, 0))
        self.panel.set_number_mode(self.c.number_mode)
        actions = {"recognize": self.recognize, "clear": self.clear, "undo": self.undo, "redo": self.redo}
        actions.update(open=self.open, save=self.save, copy=self.copy, number=self._mode, pen=self.set_pen)
        self.buttons = build_controls(tk, root, self.px, actions, self.number, self.pen)
        lines = self.shortcuts.count("\n") + 1
        self.help = tk.Label(root, name="help", text=self.shortcuts, fg=st.MUTED, bg=st.BACK, height=lines)
        self.help.configure(anchor="w", justify="left")
        self.help.grid(row=3, column=0, columnspan=2, sticky="ew", padx=pad, pady=(0, pad))

    def _bind(self) -> None:
        cv, root = self.canvas, self.root
        cv.bind("<ButtonPress-1>", lambda e: self._press(e.x, e.y))
        cv.bind("<B1-Motion>", lambda e: self._drag(e.x, e.y))
        cv.bind("<ButtonRelease-1>", lambda e: self._release())
        commands: dict[str, Callable[[], None]] = {
            "recognize": self.recognize,
            "clear": self.clear,
            "undo": self.undo,
            "redo": self.redo,
            "number": self._toggle_mode,
            "open": self.open,
            "save": self.save,
            "copy": self.copy,
            "previous": lambda: self.step(-1),
            "next": lambda: self.step(1),
        }
        for sequence, command in keys.sequences(self.system):
            root.bind(sequence, lambda e, c=command: commands[keys.command_for(c, e.state)]())
        for sequence, digit in keys.DIGITS:
            root.bind(sequence, lambda e, d=digit: self.teach(d) if keys.teaches(e.state) else None)
        root.protocol("WM_DELETE_WINDOW", self.close)

    # Drawing: paint each segment at once; the vectors live in the controller.
    def _press(self, x: int, y: int) -> None:
        had_picture = self.c.picture is not None
        self.c.press(x, y)
        if had_picture:
            self.sheet.redraw()
        self.sheet.dot(x, y)
        self._show_notice()
        self._show_buttons()

    def _drag(self, x: int, y: int) -> None:
        start = self.c.drag(x, y)
        if start is not None:
            end = self.c.drawing.strokes[-1][-1]
            self.sheet.segment([start, end])

    def _release(self) -> None:
        self.c.release()

    # Results.
    def show_verdict(self) -> None:
        v = self.c.verdict
        self.root.title(v.title)
        self.panel.show(v, self.c.can_correct)
        self.sheet.boxes()
        self._show_buttons()

    def _show_buttons(self) -> None:
        can = {"undo": self.c.history.can_undo, "redo": self.c.history.can_redo}
        for name, ok in can.items():
            self.buttons[name].configure(state="normal" if ok else "disabled")

    def _poll(self) -> None:
        if self.c.poll():
            self.show_verdict()
        self._show_notice()  # a lesson kept, or example files left out
        self.root.after(POLL_MS, self._poll)

    def _show_notice(self) -> None:
        """The last action's notice replaces the shortcut lines for a few seconds."""
        notice = self.c.take_notice()
        if not notice:
            return
        self.help.configure(text=notice)
        if self._notice_job is not None:
            self.root.after_cancel(self._notice_job)
        self._notice_job = self.root.after(st.NOTICE_MS, lambda: self.help.configure(text=self.shortcuts))

    def _changed(self) -> None:
        """After a command: repaint the canvas and the result, and say what happened."""
        self.sheet.redraw()
        self.show_verdict()
        self._show_notice()

    # Commands.
    def recognize(self) -> None:
        self.c.recognize()
        self.show_verdict()

    def clear(self) -> None:
        self.c.clear()
        self._changed()

    def undo(self) -> None:
        self.c.undo()
        self._changed()

    def redo(self) -> None:
        self.c.redo()
        self._changed()

    def copy(self) -> None:
        text = self.c.copy_text()
        if text is not None:
            self.root.clipboard_clear()
            self.root.clipboard_append(text)
        self._show_notice()

    def pick_digit(self, index: int) -> None:
        self.c.show_digit(index)
        self.show_verdict()

    def step(self, places: int) -> None:
        self.c.show_next(places)
        self.show_verdict()

    def teach(self, digit: int) -> None:
        """A digit key or button: the shown digit was `digit` (what was learned shows once it is kept)."""
        self.c.teach(digit)
        self._show_notice()

    def set_pen(self) -> None:
        self.c.set_pen(int(self.pen.get()))
        self.sheet.redraw()

    def _toggle_mode(self) -> None:
        self.number.set(not self.number.get())
        self._mode()

    def _mode(self) -> None:
        on = bool(self.number.get())
        self.canvas.configure(width=self._canvas_size(on)[0], height=self._canvas_size(on)[1])
        self.panel.set_number_mode(on)
        self._fit_min_size(on)  # and the window takes the new canvas size
        self.root.update_idletasks()
        # The ink is fitted into the canvas as laid out (it grows to the panel's height), not the nominal size.
        self.c.set_number_mode(on, (self.canvas.winfo_width(), self.canvas.winfo_height()))
        self._changed()

    def _canvas_size(self, number_mode: bool | None = None) -> tuple[int, int]:
        w, h = canvas_size(self.c.number_mode if number_mode is None else number_mode)
        return self.px(w), self.px(h)

    def _fit_min_size(self, number_mode: bool | None = None) -> None:
        """The window may shrink only while every control still shows: measure it with the smallest canvas.

        The window is held at its size meanwhile (nothing flickers), then left to its natural size.
        """
        root, (w, h) = self.root, self._canvas_size(number_mode)
        if root.winfo_ismapped():
            root.geometry(f"{root.winfo_width()}x{root.winfo_height()}")
        self.canvas.configure(width=self.px(st.MIN_CANVAS[0]), height=self.px(st.MIN_CANVAS[1]))
        root.update_idletasks()
        width, height = root.winfo_reqwidth(), root.winfo_reqheight()
        root.minsize(width, height)
        self.help.configure(wraplength=width - 2 * self.px(st.PAD))
        self.canvas.configure(width=w, height=h)
        root.geometry("")

    def _resized(self, width: int, height: int) -> None:
        self.c.drawing.resize(width, height)
        self.sheet.redraw()

    def open(self) -> None:
        from tkinter import filedialog

        name = filedialog.askopenfilename(parent=self.root, title="Open an image", filetypes=PICTURE_TYPES)
        if name:
            self.c.open_image(Path(name))
            self._changed()

    def save(self) -> None:
        from tkinter import filedialog

        name = filedialog.asksaveasfilename(
            parent=self.root, title="Save the drawing", defaultextension=".png", filetypes=[("PNG", "*.png")]
        )
        if name:
            self.c.save_png(Path(name))
            self._show_notice()

    def close(self) -> None:
        self.c.worker.close()
        self.root.destroy()


def loader(model: str | None, examples: Callable[[], Examples] | None = None) -> Reader:
    """Load the model and the person's examples; a model that fails says why on stderr in one line, and so does
    each example file that cannot be read (left out: the window shows it too)."""
    try:
        reader = load_recognizer(model, examples() if examples is not None else None)
    except Exception as e:
        print(f"numrec app: the model did not load: {reason(e)}", file=sys.stderr, flush=True)
        raise
    for message in reader.skipped:
        print(f"numrec app: warning: {message}", file=sys.stderr, flush=True)
    return reader


def main(args: argparse.Namespace, examples: Callable[[], Examples] | None = None) -> int:
    """The window; `examples` gives the folder the person's corrections are kept in and read from (none: the
    model alone). It is called on the worker's thread, so numpy loads behind the window."""
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
    root.tk.call("tk", "appname", "numrec")  # the name automation finds the window by (Tk's send)
    worker = Worker(lambda: loader(model, examples), start=False)
    App(root, Controller(worker))
    root.update()  # show the window first; the model (numpy, onnxruntime) loads behind it
    worker.start()
    root.mainloop()
    return 0
