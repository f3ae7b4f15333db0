"""The desktop window's recognition thread: loads the model, then runs the newest request.

Only the newest request matters, older ones are dropped, so drawing never
waits for a recognition and slow ones never queue up. A lesson (the person
correcting a reading) is never dropped: lessons run first, in order, so a
reading asked for after one is read with it.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from numrec.read.examples import Examples
    from numrec.read.recognizer import Recognizer
    from numrec.read.results import Prediction

Source = Any  # what Recognizer.predict accepts: Strokes or a PIL image
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    source: Source  # Strokes or a PIL image
    multi: bool  # read a number rather than one digit


@dataclass(frozen=True)
class Outcome:
    ticket: int
    prediction: Prediction | None
    error: str | None


@dataclass(frozen=True, eq=False)  # one lesson is itself alone (and its 28x28 an array)
class Lesson:
    """A read digit was `label`: keep its 28x28 as an example (forgetting `replaces`, a wrong key's example)."""

    image: np.ndarray  # the 28x28 the model read
    label: int
    source: Source  # the drawing it was read from
    box: tuple[int, int, int, int]  # where on it, in its pixels
    replaces: str | None = None


@dataclass(frozen=True)
class Learned:
    """What came of a lesson: the example's id, or why it could not be kept; `skipped`: files not read meanwhile."""

    lesson: Lesson
    id: str | None
    error: str | None
    skipped: tuple[str, ...] = ()


class Reader:
    """The loaded model as the worker runs it: reads drawings, and keeps lessons where there is a folder of examples."""

    def __init__(self, recognizer: Recognizer, skipped: tuple[str, ...] = ()) -> None:
        self.recognizer = recognizer
        self.skipped = skipped  # the example files that could not be read, in words

    @property
    def folder(self) -> Path | None:
        taught = self.recognizer.taught
        return None if taught is None else taught.examples.folder

    def read(self, source: Source, multi: bool) -> Prediction:
        return self.recognizer.predict(source, multi=multi)

    def teach(self, lesson: Lesson) -> tuple[str, tuple[str, ...]]:
        """Keep the lesson's example (in effect from the next reading): its id, and the files skipped re-reading."""
        taught, skipped = self.recognizer.taught, tuple[str, ...]()
        if taught is None:
            raise ValueError("there is no folder for examples")
        if lesson.replaces is not None:  # a wrong key: its example goes, and the folder is read again without it
            taught.examples.forget(ids=[lesson.replaces])
            skipped = caught(taught.reload)[1]
        return taught.teach(lesson.image, lesson.label, lesson.source, lesson.box).id, skipped


Load = Callable[[], Reader]


class Worker:
    """One background thread that loads the model, then runs the lessons and the newest request.

    A new request replaces a waiting one, and an outcome that is no longer the
    newest is dropped, so a slow recognition never queues up behind drawing.
    """

    def __init__(self, load: Load, start: bool = True) -> None:
        self._load_fn = load
        self._cond = threading.Condition()
        self._pending: tuple[int, Job] | None = None
        self._lessons: list[Lesson] = []
        self._done: Outcome | None = None
        self._learned: list[Learned] = []
        self._ticket = 0
        self._running = False
        self._closed = False
        self.ready = False
        self.load_error: str | None = None
        self.folder: Path | None = None  # where lessons are kept, once loaded; None: they cannot be
        self.skipped: tuple[str, ...] = ()  # example files that could not be read when loading
        if start:
            self.start()

    def start(self) -> None:
        threading.Thread(target=self._run, name="numrec-recognize", daemon=True).start()

    def submit(self, job: Job) -> None:
        with self._cond:
            self._ticket += 1
            self._pending = (self._ticket, job)
            self._cond.notify_all()

    def teach(self, lesson: Lesson) -> None:
        """Keep an example; its Learned comes back through learned(). Readings asked for later count it."""
        with self._cond:
            self._lessons.append(lesson)
            self._cond.notify_all()

    def cancel(self) -> None:
        """Forget waiting and running requests: their outcomes will be dropped."""
        with self._cond:
            self._ticket += 1
            self._pending = None

    def take(self, wait_s: float = 0.0) -> Outcome | None:
        """The outcome of the newest request if it is ready (waiting up to wait_s), else None."""
        with self._cond:
            self._cond.wait_for(lambda: self._fresh() or self._closed or not self._in_flight(), wait_s)
            out, self._done = self._done, None
        return out if out is not None and out.ticket == self._ticket else None

    def learned(self, wait_s: float = 0.0) -> list[Learned]:
        """The lessons done since the last call, in order (waiting up to wait_s for one while any is waiting)."""
        with self._cond:
            self._cond.wait_for(lambda: self._learned or not self._lessons or self._closed, wait_s)
            out, self._learned = self._learned, []
        return out

    def wait_ready(self, wait_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.ready, wait_s)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _fresh(self) -> bool:
        return self._done is not None and self._done.ticket == self._ticket

    def _in_flight(self) -> bool:
        return self._pending is not None or self._running

    def _run(self) -> None:
        reader = self._load()
        while (work := self._next()) is not None:
            if isinstance(work, Lesson):
                learned = self._learn(work, reader)
                with self._cond:
                    self._learned.append(learned)
                    self._cond.notify_all()
                continue
            outcome = self._compute(*work, reader)
            with self._cond:
                self._done, self._running = outcome, False
                self._cond.notify_all()

    def _next(self) -> Lesson | tuple[int, Job] | None:
        """The next lesson, else the newest request (marked running); None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending is not None or self._lessons or self._closed)
            if self._closed:
                return None
            if self._lessons:
                return self._lessons[0]  # removed once learned: a reading waits for it (_in_flight)
            work, self._pending, self._running = self._pending, None, True
            return work

    def _load(self) -> Reader | None:
        reader, error = None, None
        try:
            reader = self._load_fn()
        except Exception as e:  # shown in the window; the thread must not die silently
            error = reason(e)
        with self._cond:
            self.ready, self.load_error = True, error
            if reader is not None:
                self.folder, self.skipped = reader.folder, reader.skipped
            self._cond.notify_all()
        return reader

    def _learn(self, lesson: Lesson, reader: Reader | None) -> Learned:
        try:
            if reader is None:
                raise ValueError("no model loaded")
            ident, skipped = reader.teach(lesson)
            learned = Learned(lesson, ident, None, skipped)
        except Exception as e:  # a folder that cannot be written is reported, not fatal
            learned = Learned(lesson, None, reason(e))
        with self._cond:
            self._lessons.remove(lesson)
        return learned

    @staticmethod
    def _compute(ticket: int, job: Job, reader: Reader | None) -> Outcome:
        if reader is None:
            return Outcome(ticket, None, "no model loaded")
        try:
            return Outcome(ticket, reader.read(job.source, job.multi), None)
        except Exception as e:  # a bad drawing or image is reported, not fatal
            return Outcome(ticket, None, reason(e))


def reason(error: BaseException) -> str:
    """An error in one line of plain text (onnxruntime's messages span several)."""
    return " ".join(str(error).split()) or type(error).__name__


def caught(run: Callable[[], T]) -> tuple[T, tuple[str, ...]]:
    """run()'s value and the examples' warnings it raised (files skipped), in words; other warnings pass on."""
    from numrec.read.example_files import ExampleWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ExampleWarning)
        value = run()
    for w in seen:
        if not issubclass(w.category, ExampleWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return value, tuple(str(w.message) for w in seen if issubclass(w.category, ExampleWarning))


def load_recognizer(model: str | None, examples: Examples | str | Path | None = None) -> Reader:
    """Load the model, and the person's examples if given (in the worker thread: the window is usable before)."""
    from numrec.read.recognizer import Recognizer

    recognizer, skipped = caught(lambda: Recognizer(model, examples=examples))
    return Reader(recognizer, skipped)
