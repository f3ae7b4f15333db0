"""The drawing window's logic, free of Tk so it runs and is tested without a display.

The Tk view (gui.py) forwards pointer and key events here and paints whatever
state this module holds: the strokes as vectors, the latest verdict, the boxes.
Recognition runs on one background thread (gui_worker.py) so drawing never
waits for it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from numrec import fileio
from numrec.faces.desktop.worker import Job, Worker
from numrec.faces.wording import percent

# numpy and Pillow load with the model on the worker thread, so the window shows sooner.
if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from numrec.read.results import Prediction
    from numrec.read.strokes import Strokes

Point = tuple[float, float]
Box = tuple[float, float, float, float]

# Canvas sizes in pixels at 96 dpi; the view multiplies them on HiDPI screens.
DIGIT_CANVAS = (320, 320)
NUMBER_CANVAS = (640, 240)
# Brush width as a share of the canvas height: a digit drawn ~3/4 of the height
# then has MNIST's stroke-to-height ratio (about 2.5 px in a 20 px box).
BRUSH_SHARE = 1 / 12
# Live prediction during a stroke at most this often, and only when idle.
LIVE_INTERVAL_S = 0.15
# Points closer than this to the previous one add nothing to the stroke.
MIN_STEP = 1.0


@dataclass(frozen=True)
class Verdict:
    """What the window shows: the result in large type, plain words, bars, boxes."""

    status: str  # ok | unsure | no_digit | empty | loading | error
    headline: str  # the digit or number in large type
    detail: str  # one sentence in plain words
    probabilities: tuple[float, ...] = ()  # one bar per digit 0-9
    image: np.ndarray | None = field(default=None, repr=False)  # the 28x28 the model saw
    boxes: tuple[Box, ...] = ()  # one per digit (x, y, w, h) in the recognized input's pixels
    summary: str = ""  # a few words for the window title

    @property
    def title(self) -> str:
        """Window title; it carries the verdict so tools (and tests) can read it."""
        return f"numrec: {self.summary or self.status}"


EMPTY = Verdict("empty", "", "Draw a digit on the canvas.", summary="draw a digit")
LOADING = Verdict("loading", "", "Loading the model...", summary="loading model")


def describe(pred: Prediction) -> Verdict:
    """Turn a Prediction into what the window says."""
    if pred.status == "no_digit" or not pred.digits:
        return Verdict("no_digit", "-", "No digit found: the canvas looks blank.", summary="no digit")
    shown = min(pred.digits, key=lambda d: d.confidence)  # bars and image of the least sure digit
    number, sure = pred.number or "", percent(shown.confidence)
    which = f"digit {pred.digits.index(shown) + 1} of {len(pred.digits)}" if len(pred.digits) > 1 else ""
    if pred.status == "unsure":
        about = f" about digit {pred.digits.index(shown) + 1}" if which else ""
        status, headline, summary = "unsure", number + "?", f"{number}? unsure"
        detail = f"Not sure{about} (most likely {shown.digit}, {sure}). Write it larger or clearer."
    else:
        status, headline, summary = "ok", number, f"{number} ({sure} sure)"
        least = f"; digit {pred.digits.index(shown) + 1} is the least sure at {sure}"
        detail = f"{len(pred.digits)} digits{least}" if which else f"{sure} sure"
    boxes = tuple((float(x), float(y), float(w), float(h)) for x, y, w, h in (d.box for d in pred.digits))
    return Verdict(status, headline, detail, tuple(shown.probabilities), shown.image, boxes, summary)


class Drawing:
    """Strokes as lists of points in canvas pixels, kept inside the canvas."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.strokes: list[list[Point]] = []
        self.drawing = False

    @property
    def line_width(self) -> float:
        return max(2.0, round(self.height * BRUSH_SHARE))

    def _clamp(self, x: float, y: float) -> Point:
        return (min(max(x, 0.0), self.width - 1.0), min(max(y, 0.0), self.height - 1.0))

    def begin(self, x: float, y: float) -> None:
        self.strokes.append([self._clamp(x, y)])
        self.drawing = True

    def extend(self, x: float, y: float) -> Point | None:
        """Add a point to the open stroke; return the previous point, to draw the segment from."""
        if not self.drawing:
            return None
        stroke, point = self.strokes[-1], self._clamp(x, y)
        last = stroke[-1]
        if abs(point[0] - last[0]) < MIN_STEP and abs(point[1] - last[1]) < MIN_STEP:
            return None
        stroke.append(point)
        return last

    def end(self) -> bool:
        finished, self.drawing = self.drawing, False
        return finished

    def undo(self) -> bool:
        self.drawing = False
        return bool(self.strokes) and self.strokes.pop() is not None

    def clear(self) -> None:
        self.strokes.clear()
        self.drawing = False

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = max(width, 1), max(height, 1)

    def to_strokes(self) -> Strokes:
        from numrec.read.strokes import Strokes

        # The canvas may have shrunk since the ink was drawn; keep all ink inside.
        xs = [p[0] for s in self.strokes for p in s] or [0.0]
        ys = [p[1] for s in self.strokes for p in s] or [0.0]
        width, height = max(self.width, int(max(xs)) + 1), max(self.height, int(max(ys)) + 1)
        return Strokes(width, height, self.line_width, [list(s) for s in self.strokes])

    def png(self) -> bytes:
        """The drawing as a PNG, dark ink on white as a person expects a saved drawing to look."""
        from PIL import Image

        ink = self.to_strokes().render()
        out = io.BytesIO()
        Image.fromarray(255 - ink).save(out, format="PNG")
        return out.getvalue()


class Controller:
    """Everything the window does, as methods the Tk view calls and state it paints."""

    def __init__(self, worker: Worker, number_mode: bool = False, clock: Callable[[], float] = time.monotonic):
        self.worker, self.number_mode, self._clock = worker, number_mode, clock
        self.drawing = Drawing(*(NUMBER_CANVAS if number_mode else DIGIT_CANVAS))
        self.picture: Image.Image | None = None  # an opened image file, shown instead of ink
        self.verdict = LOADING
        self.notice = ""  # one line about the last file action
        self._last_live = -LIVE_INTERVAL_S

    # Pointer: press, drag, release. drag returns the segment's start point to paint.
    def press(self, x: float, y: float) -> None:
        if self.picture is not None:
            self.clear()
        self.drawing.begin(x, y)

    def drag(self, x: float, y: float) -> Point | None:
        start = self.drawing.extend(x, y)
        if start is not None and self._clock() - self._last_live >= LIVE_INTERVAL_S and not self.worker.busy:
            self.recognize()  # live update during the stroke, only while the worker is idle
        return start

    def release(self) -> None:
        if self.drawing.end():
            self.recognize()

    def undo(self) -> None:
        if self.drawing.undo():
            self.recognize() if self.drawing.strokes else self._reset()

    def clear(self) -> None:
        self.drawing.clear()
        self.picture = None
        self._reset()

    def set_number_mode(self, on: bool) -> None:
        self.number_mode = on
        self.clear()

    def recognize(self) -> None:
        """Ask for a verdict on what is on the canvas; the answer arrives through poll()."""
        self._last_live = self._clock()
        source = self.picture if self.picture is not None else self.drawing.to_strokes()
        self.worker.submit(Job(source, self.number_mode))

    def poll(self, wait_s: float = 0.0) -> bool:
        """Take a finished recognition, if any; True when the verdict changed."""
        if self.verdict is LOADING and self.worker.ready:
            self.verdict = self._idle_verdict()  # what was drawn meanwhile is still queued
            return True
        out = self.worker.take(wait_s)
        if out is None:
            return False
        if out.prediction is None:
            self.verdict = Verdict("error", "!", f"Could not recognize: {out.error}", summary="error")
        else:
            self.verdict = describe(out.prediction)
        return True

    def open_image(self, path: Path) -> None:
        from numrec.read.images import ImageError, load_image

        try:
            picture = load_image(Path(path))
        except (ImageError, OSError) as e:
            self.notice = f"Could not open {Path(path).name}: {e}"
            return
        self.clear()
        self.picture, self.notice = picture, f"Opened {Path(path).name}"
        self.recognize()

    def save_png(self, path: Path) -> None:
        if not self.drawing.strokes:
            self.notice = "Nothing to save: the canvas is empty."
            return
        try:
            fileio.write_bytes(Path(path), self.drawing.png())
        except OSError as e:
            self.notice = f"Could not save {Path(path).name}: {e.strerror or e}"
            return
        self.notice = f"Saved {Path(path).name}"

    def picture_fit(self) -> tuple[float, float, float]:
        """(scale, dx, dy) that fits the opened picture inside the canvas, centred."""
        if self.picture is None:
            return 1.0, 0.0, 0.0
        pw, ph = self.picture.size
        scale = min(self.drawing.width / pw, self.drawing.height / ph)
        return scale, (self.drawing.width - pw * scale) / 2, (self.drawing.height - ph * scale) / 2

    def canvas_boxes(self) -> list[Box]:
        """The verdict's digit boxes in canvas pixels (an opened picture is shown scaled)."""
        scale, dx, dy = self.picture_fit()
        return [(x * scale + dx, y * scale + dy, w * scale, h * scale) for x, y, w, h in self.verdict.boxes]

    def _reset(self) -> None:
        self.worker.cancel()
        self.verdict = self._idle_verdict()

    def _idle_verdict(self) -> Verdict:
        if self.worker.load_error:
            return Verdict("error", "!", f"The model did not load: {self.worker.load_error}", summary="model error")
        return EMPTY if self.worker.ready else LOADING
