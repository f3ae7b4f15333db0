"""The drawing window's logic, free of Tk so it runs and is tested without a display.

The Tk view (window.py) forwards pointer and key events here and paints whatever
state this module holds: the strokes as vectors, the latest verdict, the boxes.
Recognition runs on one background thread (worker.py) so drawing never waits
for it. Nothing a person made is lost without a way back: strokes, Clear and
opening an image go through the undo history, and a mode switch keeps the ink.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from numrec import fileio
from numrec.faces.desktop.drawing import Box, Drawing, Point, canvas_size, fitting
from numrec.faces.desktop.history import History, Page
from numrec.faces.desktop.lessons import Lessons
from numrec.faces.desktop.verdict import (
    BLANK,
    LOADING,
    NO_EXAMPLES,
    PICTURE,
    STROKES,
    WAIT_TO_CORRECT,
    Verdict,
    describe,
    kept_words,
    model_error,
    not_kept_words,
    prompt,
    skipped_words,
)
from numrec.faces.desktop.verdict import reading as reading_verdict
from numrec.faces.desktop.worker import Job, Learned, Outcome, Source, Worker

if TYPE_CHECKING:
    from PIL import Image

# After Recognize is pressed, "Reading..." shows at least this long: a re-read that
# gives the same answer must still be seen to have happened.
FEEDBACK_S = 0.4


class Controller:
    """Everything the window does, as methods the Tk view calls and state it paints."""

    def __init__(self, worker: Worker, number_mode: bool = False, clock: Callable[[], float] = time.monotonic):
        self.worker, self.number_mode, self._clock = worker, number_mode, clock
        self.drawing = Drawing(*canvas_size(number_mode))
        self.picture: Image.Image | None = None  # an opened image file, shown instead of ink
        self.history = History()
        self.verdict = LOADING
        self._notice = ""  # one line about the last action, for the status line
        self._asked = (BLANK, number_mode)  # what the newest request reads, in which mode
        self._asked_source: Source = None  # and the drawing itself
        self.lessons = Lessons()  # the person's corrections of the reading on show
        self._waiting = False  # a request is out and its answer not yet taken
        self._held: Outcome | None = None  # an answer waiting for the end of FEEDBACK_S
        self._show_at = 0.0

    # Pointer: press, drag, release. drag returns the segment's start point to paint.
    def press(self, x: float, y: float) -> None:
        self.history.record(self.page())
        if self.picture is not None:
            self.picture = None
            self._notice = "The image is put away while you draw; Undo brings it back."
        self.drawing.begin(x, y)

    def drag(self, x: float, y: float) -> Point | None:
        # No reading while the pen is down: half a digit gives confident wrong answers.
        return self.drawing.extend(x, y)

    def release(self) -> None:
        if self.drawing.end():
            self._read()

    # The canvas's contents as one value, for the history.
    def page(self) -> Page:
        return Page(tuple(tuple(s) for s in self.drawing.strokes), self.picture)

    def _restore(self, page: Page) -> None:
        self.drawing.end()
        self.drawing.strokes = [list(s) for s in page.strokes]
        self.picture = page.picture

    def undo(self) -> None:
        self._step(self.history.undo, "Nothing to undo.")

    def redo(self) -> None:
        self._step(self.history.redo, "Nothing to redo.")

    def _step(self, take: Callable[[Page], Page | None], nothing: str) -> None:
        self.drawing.end()
        page = take(self.page())
        if page is None:
            self._notice = nothing
            return
        self._restore(page)
        self._reread()

    def clear(self) -> None:
        if not self.page().blank:
            self.history.record(self.page())
            self._notice = "Cleared; Undo brings it back."
        self._restore(Page())
        self._reset()

    def set_number_mode(self, on: bool, size: tuple[int, int] | None = None) -> None:
        """Switch modes keeping the ink (moved, or shrunk if it must, to fit the new canvas); read it again."""
        self.number_mode = on
        width, height = size or canvas_size(on)
        self.drawing.resize(width, height)
        pages = [self.page(), *self.history.pages()]
        move = fitting((s for p in pages for s in p.strokes), width, height, self.drawing.line_width / 2 + 1)
        self._restore(self.page().moved(move))
        self.history.move(move)
        self._reread()

    def set_pen(self, level: int) -> None:
        """A new pen width for the whole drawing (Strokes carry one width); read it again."""
        if level != self.drawing.pen:
            self.drawing.set_pen(level)
            if self.drawing.strokes:
                self._read()

    def show_digit(self, index: int) -> None:
        """Show the bars and 28x28 of another digit of the number."""
        self.verdict = self.verdict.focused(index)

    def show_next(self, step: int) -> None:
        """The arrow keys: show the digit `step` places right (left when negative) of the one shown."""
        self.show_digit(self.verdict.focus + step)

    @property
    def can_correct(self) -> bool:
        """Whether the reading on show can be corrected now (the row of digits under the bars is enabled)."""
        return self.verdict.correctable and self.worker.folder is not None

    def teach(self, label: int) -> None:
        """The shown digit was `label`: keep it as an example, on the worker's thread; poll() shows what was learned."""
        if self._waiting or self._held is not None or self.drawing.drawing or self.verdict.status == "reading":
            self._notice = WAIT_TO_CORRECT  # the reading on show is not of what the canvas holds
            return
        if self.worker.ready and self.worker.folder is None:
            self._notice = NO_EXAMPLES
            return
        lesson = self.lessons.lesson(self.verdict, label)
        if isinstance(lesson, str):
            self._notice = lesson
        else:
            self.worker.teach(lesson)

    def _learned(self, learned: Learned) -> bool:
        """A lesson done: say so, and show the reading corrected if it is still on show; True if it is."""
        index = self.lessons.done(learned)
        if learned.error is not None:
            self._notice = not_kept_words(learned.error)
            return False
        self._notice = kept_words(self.worker.folder)
        if learned.skipped:  # files found unreadable when the folder was read again: left out, nothing more
            self._notice += " " + skipped_words(learned.skipped)
        if index is None or not self.verdict.correctable:
            return False
        self.verdict = self.verdict.focused(index).corrected(learned.lesson.label)
        return True

    def recognize(self) -> None:
        """Recognize / Enter: read again, showing "Reading..." first so the press is always seen."""
        if self.verdict is not LOADING:
            self.verdict = reading_verdict(self.verdict)
            self._show_at = self._clock() + FEEDBACK_S
        self._read()

    def _read(self) -> None:
        """Ask for a verdict on what is on the canvas; the answer arrives through poll()."""
        source = self.picture if self.picture is not None else self.drawing.to_strokes()
        what = PICTURE if self.picture is not None else STROKES if self.drawing.strokes else BLANK
        self._asked, self._waiting, self._held = (what, self.number_mode), True, None
        self._asked_source = source
        self.worker.submit(Job(source, self.number_mode))

    def _reread(self) -> None:
        self._reset() if self.page().blank else self._read()

    def poll(self, wait_s: float = 0.0) -> bool:
        """Take the lessons done and a finished recognition, if any (waiting up to wait_s for each); True when the
        verdict changed."""
        if self.verdict is LOADING and self.worker.ready:
            loaded = not self.worker.load_error and self._waiting
            self.verdict = reading_verdict(prompt(self.number_mode)) if loaded else self._idle_verdict()
            if self.worker.skipped:
                self._notice = skipped_words(self.worker.skipped)
            return True
        changed = False
        for learned in self.worker.learned(wait_s):
            changed = self._learned(learned) or changed
        out = self.worker.take(wait_s)
        if out is not None:
            self._held, self._waiting = out, False
        if self._held is None or self._clock() < self._show_at:
            return changed
        self.verdict, self._held = self._verdict_for(self._held), None
        self.lessons.new_reading(self._asked_source, self.verdict.status == "ok")
        return True

    def _verdict_for(self, out: Outcome) -> Verdict:
        if self.worker.load_error:  # keep the reason in view, not "no model loaded"
            return model_error(self.worker.load_error)
        if out.prediction is None:
            return Verdict("error", "!", f"Could not recognize: {out.error}", summary="error")
        return describe(out.prediction, *self._asked)

    def copy_text(self) -> str | None:
        """The number to put on the clipboard, or None (with a notice saying why)."""
        if self.verdict.number:
            self._notice = f"Copied {self.verdict.number}"
            return self.verdict.number
        self._notice = "Nothing to copy: no number has been read."
        return None

    def take_notice(self) -> str:
        """The notice about the last action (once), for the status line."""
        notice, self._notice = self._notice, ""
        return notice

    def open_image(self, path: Path) -> None:
        from numrec.read.images import ImageError, load_image

        try:
            picture = load_image(Path(path))
        except (ImageError, OSError) as e:
            self._notice = f"Could not open {Path(path).name}: {e}"
            return
        self.history.record(self.page())
        self._restore(Page((), picture))
        self._notice = f"Opened {Path(path).name}"
        self._read()

    def save_png(self, path: Path) -> None:
        if not self.drawing.strokes:
            self._notice = "Nothing to save: the canvas is empty."
            return
        try:
            fileio.write_bytes(Path(path), self.drawing.png())
        except OSError as e:
            self._notice = f"Could not save {Path(path).name}: {e.strerror or e}"
            return
        self._notice = f"Saved {Path(path).name}"

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
        if self.picture is not None:  # boxes are in the file's pixels; a large JPEG is decoded (and shown) reduced
            from numrec.read.images import file_size

            scale *= self.picture.width / file_size(self.picture)[0]
        return [(x * scale + dx, y * scale + dy, w * scale, h * scale) for x, y, w, h in self.verdict.boxes]

    def _reset(self) -> None:
        self.worker.cancel()
        self._waiting, self._held = False, None
        self.verdict = self._idle_verdict()
        self.lessons.new_reading()

    def _idle_verdict(self) -> Verdict:
        if self.worker.load_error:
            return model_error(self.worker.load_error)
        return prompt(self.number_mode) if self.worker.ready else LOADING
