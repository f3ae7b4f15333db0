"""Correcting a reading in the window, free of Tk: the lessons sent to the worker and what came of them.

The person picks the digit (in number mode first which one, by its preview or the arrow keys) and
presses its right value (a digit key, or its button under the bars); the controller sends a Lesson:
the 28x28 the model read, the drawing it was read from, and where on it. A second key for the same
digit of the same reading replaces the first one's example, so a wrong key can be taken back; a new
reading starts afresh. A lesson counts from the next reading on (read.taught).
"""

from __future__ import annotations

from dataclasses import dataclass

from numrec.faces.desktop.verdict import NOTHING_TO_CORRECT, STILL_KEEPING, Verdict, already_words
from numrec.faces.desktop.worker import Learned, Lesson, Source


@dataclass(frozen=True, eq=False)
class Sent:
    lesson: Lesson
    reading: int  # which reading it corrects (Lessons.reading then)
    index: int  # which digit of it


class Lessons:
    """The corrections of the reading on show: what each digit was taught (its example's id), and those in flight."""

    def __init__(self) -> None:
        self.reading = 0  # counts the readings shown: a lesson belongs to one
        self._source: Source = None  # the drawing the reading on show was read from
        self._read_ok = False  # whether that reading was ok (a sure answer needs no confirming)
        self._kept: dict[int, tuple[int, str]] = {}  # digit index -> (label, example id), for this reading
        self._sent: list[Sent] = []

    def new_reading(self, source: Source = None, ok: bool = False) -> None:
        """A reading (of `source`) is on show, or none: lessons from here on correct it."""
        self.reading += 1
        self._source, self._read_ok, self._kept = source, ok, {}

    def lesson(self, verdict: Verdict, label: int) -> Lesson | str:
        """The lesson that teaches the shown digit of `verdict` to be `label`, or the words saying why there is none."""
        shown, index = verdict.shown, verdict.focus
        if not verdict.correctable or shown is None or shown.image is None or self._source is None:
            return NOTHING_TO_CORRECT
        if any(s.reading == self.reading and s.index == index for s in self._sent):
            return STILL_KEEPING
        earlier = self._kept.get(index)
        if earlier is not None and earlier[0] == label:
            return already_words(label, taught=True)
        if earlier is None and self._read_ok and shown.digit == label:
            return already_words(label, taught=False)
        x, y, w, h = (round(v) for v in shown.box)
        lesson = Lesson(shown.image, label, self._source, (x, y, w, h), None if earlier is None else earlier[1])
        self._sent.append(Sent(lesson, self.reading, index))
        return lesson

    def done(self, learned: Learned) -> int | None:
        """Take a lesson's outcome: the index of the digit it corrected in the reading on show, else None
        (it failed, or another reading is on show by now)."""
        sent = next((s for s in self._sent if s.lesson is learned.lesson), None)
        if sent is None:
            return None
        self._sent.remove(sent)
        if learned.id is None or sent.reading != self.reading:
            return None
        self._kept[sent.index] = (sent.lesson.label, learned.id)
        return sent.index
