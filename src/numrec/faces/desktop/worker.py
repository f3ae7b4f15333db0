"""The desktop window's recognition thread: loads the model, then runs the newest request.

Only the newest request matters, older ones are dropped, so drawing never
waits for a recognition and slow ones never queue up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numrec.read.results import Prediction

Source = Any  # what Recognizer.predict accepts: Strokes or a PIL image


@dataclass(frozen=True)
class Job:
    source: Source  # Strokes or a PIL image
    multi: bool  # read a number rather than one digit


@dataclass(frozen=True)
class Outcome:
    ticket: int
    prediction: Prediction | None
    error: str | None


Recognize = Callable[[Source, bool], "Prediction"]


class Worker:
    """One background thread that loads the model, then runs the newest request.

    A new request replaces a waiting one, and an outcome that is no longer the
    newest is dropped, so a slow recognition never queues up behind drawing.
    """

    def __init__(self, load: Callable[[], Recognize], start: bool = True) -> None:
        self._load_fn = load
        self._cond = threading.Condition()
        self._pending: tuple[int, Job] | None = None
        self._done: Outcome | None = None
        self._ticket = 0
        self._running = False
        self._closed = False
        self.ready = False
        self.load_error: str | None = None
        if start:
            self.start()

    def start(self) -> None:
        threading.Thread(target=self._run, name="numrec-recognize", daemon=True).start()

    def submit(self, job: Job) -> None:
        with self._cond:
            self._ticket += 1
            self._pending = (self._ticket, job)
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
        recognize = self._load()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed or self._pending is None:
                    return
                (ticket, job), self._pending = self._pending, None
                self._running = True
            outcome = self._compute(ticket, job, recognize)
            with self._cond:
                self._done, self._running = outcome, False
                self._cond.notify_all()

    def _load(self) -> Recognize | None:
        recognize, error = None, None
        try:
            recognize = self._load_fn()
        except Exception as e:  # shown in the window; the thread must not die silently
            error = reason(e)
        with self._cond:
            self.ready, self.load_error = True, error
            self._cond.notify_all()
        return recognize

    @staticmethod
    def _compute(ticket: int, job: Job, recognize: Recognize | None) -> Outcome:
        if recognize is None:
            return Outcome(ticket, None, "no model loaded")
        try:
            return Outcome(ticket, recognize(job.source, job.multi), None)
        except Exception as e:  # a bad drawing or image is reported, not fatal
            return Outcome(ticket, None, reason(e))


def reason(error: BaseException) -> str:
    """An error in one line of plain text (onnxruntime's messages span several)."""
    return " ".join(str(error).split()) or type(error).__name__


def load_recognizer(model: str | None) -> Recognize:
    """Load the model (in the worker thread: the window is usable before it is ready)."""
    from numrec.read.recognizer import Recognizer

    recognizer = Recognizer(model)
    return lambda source, multi: recognizer.predict(source, multi=multi)
