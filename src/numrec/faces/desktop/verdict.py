"""What the window says about a reading: the answer in large type, plain words, one view per digit.

Every confidence is worded by faces.wording.percent, as on the page and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from numrec.faces.desktop.drawing import Box
from numrec.faces.wording import (
    ALMOST,
    NOT_DIGIT,
    TOP,
    TWO_WAYS,
    almost_words,
    learned_words,
    not_digit_words,
    percent,
    unsure_words,
)

if TYPE_CHECKING:
    import numpy as np

    from numrec.read.results import Prediction

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# What a reading was of, which decides how "no digit" is worded.
STROKES, PICTURE, BLANK = "strokes", "picture", "blank"
# The large type of a reading that is not a digit: a neutral mark, never a digit's value.
NOT_DIGIT_MARK = "\N{MULTIPLICATION SIGN}"
# The readings a person can correct: a digit (or number) read, sure or not, ink read as not a digit, a corrected one.
CORRECTABLE = frozenset({"ok", "unsure", "not_digit", "taught"})


def ordinal(n: int) -> str:
    """1 -> "first" ... 10 -> "tenth", then 11 -> "11th", 22 -> "22nd": never mistaken for a digit's value."""
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def noun(number_mode: bool) -> str:
    return "number" if number_mode else "digit"


@dataclass(frozen=True)
class DigitView:
    """One read digit: its value, how sure, its bars, the 28x28 the model saw, its box on the input."""

    digit: int
    confidence: float
    probabilities: tuple[float, ...]
    image: np.ndarray | None = field(default=None, repr=False)
    box: Box = (0.0, 0.0, 0.0, 0.0)
    not_digit: float = 0.0  # the probability that this ink is not a digit at all


@dataclass(frozen=True)
class Verdict:
    """What the window shows: the result in large type, plain words, and the digit whose bars are shown."""

    status: str  # ok | unsure | no_digit | not_digit | taught | blank | empty | loading | reading | error
    headline: str  # the digit or number in large type
    detail: str  # one sentence in plain words
    digits: tuple[DigitView, ...] = ()
    focus: int = 0  # the digit whose bars and 28x28 are shown
    summary: str = ""  # a few words for the window title
    number: str = ""  # what Copy puts on the clipboard
    taught: frozenset[int] = frozenset()  # the digits the person corrected (their values are in `number`)

    @property
    def title(self) -> str:
        """Window title; it carries the verdict so tools (and tests) can read it."""
        return f"numrec: {self.summary or self.status}"

    @property
    def shown(self) -> DigitView | None:
        return self.digits[self.focus] if self.digits else None

    @property
    def probabilities(self) -> tuple[float, ...]:
        return self.shown.probabilities if self.shown else ()

    @property
    def image(self) -> np.ndarray | None:
        return self.shown.image if self.shown else None

    @property
    def boxes(self) -> tuple[Box, ...]:
        return tuple(d.box for d in self.digits)

    @property
    def caption(self) -> str:
        """Which digit the bars are for, when there is more than one."""
        if len(self.digits) < 2 or self.shown is None:
            return ""
        d, which = self.shown, ordinal(self.focus + 1)
        if self.status == "not_digit":  # not claimed as a digit: the bars show what it is most like
            return f"Showing the {which} part (most like {d.digit}, {percent(d.confidence)})"
        return f"Showing the {which} digit ({d.digit}, {percent(d.confidence)})"

    def focused(self, index: int) -> Verdict:
        return replace(self, focus=index) if 0 <= index < len(self.digits) else self

    @property
    def correctable(self) -> bool:
        """Whether the person can teach the shown digit its right value (a reading of ink, taken and shown)."""
        return self.status in CORRECTABLE and self.shown is not None

    @property
    def correction(self) -> str:
        """The words over the row of digits that teach: which digit of a number they correct."""
        if len(self.digits) < 2:
            return "Not right? It was:"
        return f"Not right? The {ordinal(self.focus + 1)} {'part' if self.status == 'not_digit' else 'digit'} was:"

    @property
    def taught_value(self) -> int | None:
        """The value the person taught the shown digit, if they did."""
        return int(self.number[self.focus]) if self.focus in self.taught else None

    def corrected(self, label: int) -> Verdict:
        """Once the shown digit is taught to be `label`: the answer with it in, and what was learned."""
        guesses = self.number or "".join(str(d.digit) for d in self.digits)
        number = guesses[: self.focus] + str(label) + guesses[self.focus + 1 :]
        place = ordinal(self.focus + 1) if len(self.digits) > 1 else ""
        words, summary, taught = learned_words(label, place), f"{number} (learned)", self.taught | {self.focus}
        return replace(
            self, status="taught", headline=number, detail=words, summary=summary, number=number, taught=taught
        )


LOADING = Verdict("loading", "", "Loading the model...", summary="loading model")


def prompt(number_mode: bool) -> Verdict:
    return Verdict("empty", "", f"Draw a {noun(number_mode)} on the canvas.", summary=f"draw a {noun(number_mode)}")


def reading(before: Verdict) -> Verdict:
    """Shown at once when Recognize is pressed, so the press is seen even when the answer does not change."""
    return replace(before, status="reading", detail="Reading...", summary="reading")


def model_error(reason: str) -> Verdict:
    return Verdict("error", "!", f"The model did not load: {reason}", summary="model error")


def nothing_read(source: str, number_mode: bool) -> Verdict:
    """No digit in the answer: a blank canvas is called blank, visible ink is never called blank."""
    if source == BLANK:
        return Verdict("blank", "", f"The canvas is blank: draw a {noun(number_mode)} first.", summary="blank canvas")
    if source == PICTURE:
        return Verdict("no_digit", "-", "No digit found in the image.", summary="no digit")
    return Verdict("no_digit", "-", "Too small to read: draw it larger.", summary="too small to read")


def not_a_digit(digits: tuple[DigitView, ...]) -> Verdict:
    """Ink that is not (all) a digit: plain words, no number in the title or for Copy; the bars show the likeliest
    non-digit piece."""
    focus = max(range(len(digits)), key=lambda i: digits[i].not_digit)
    return Verdict("not_digit", NOT_DIGIT_MARK, not_digit_words(len(digits)), digits, focus, NOT_DIGIT)


def _box(box: tuple[float, float, float, float]) -> Box:
    x, y, w, h = box
    return float(x), float(y), float(w), float(h)


def describe(pred: Prediction, source: str = STROKES, number_mode: bool = False) -> Verdict:
    """Turn a Prediction into what the window says; `source` is what was read (STROKES, PICTURE or BLANK)."""
    if pred.status == "no_digit" or not pred.digits:
        return nothing_read(source, number_mode)
    digits = tuple(
        DigitView(d.digit, d.confidence, tuple(d.probabilities), d.image, _box(d.box), d.not_digit) for d in pred.digits
    )
    if pred.status == "not_digit":
        return not_a_digit(digits)
    focus = min(range(len(digits)), key=lambda i: digits[i].confidence)  # the least sure digit first
    least, number = digits[focus], pred.number or ""
    sure, which = percent(least.confidence), ordinal(focus + 1)
    if pred.status == "unsure":
        about = f" about the {which} digit" if len(digits) > 1 else ""
        second = sorted(least.probabilities)[-2] if len(least.probabilities) > 1 else 0.0
        detail = unsure_words(least.digit, least.confidence, second, least.not_digit, about)
        if least.confidence >= ALMOST:
            detail = TWO_WAYS if least.confidence >= TOP else almost_words(least.digit, sure, about)
        return Verdict("unsure", number + "?", detail, digits, focus, f"{number}? unsure", number)
    detail = f"{len(digits)} digits; the {which} is the least sure at {sure}" if len(digits) > 1 else f"{sure} sure"
    return Verdict("ok", number, detail, digits, focus, f"{number} ({sure} sure)", number)


# What the window says about correcting a reading (the digit keys, the row of digits under the bars).
NOTHING_TO_CORRECT = "Nothing to correct yet: draw a digit first."
WAIT_TO_CORRECT = "Wait for the reading, then correct it."
STILL_KEEPING = "Still keeping the last correction: press the digit again in a moment."
NO_EXAMPLES = "Learning is off: there is no folder for examples."


def kept_words(folder: object) -> str:
    return f"Kept in {folder}. A wrong key? Press the right digit: it replaces this one."


def already_words(label: int, taught: bool) -> str:
    """A correction that would teach nothing: this digit was taught `label` already, or read as it, surely."""
    return f"Already learned: that was {label}." if taught else f"It was read as {label} already: nothing to learn."


def not_kept_words(error: str) -> str:
    return f"Could not learn it: {error}"


def skipped_words(skipped: tuple[str, ...]) -> str:
    """Example files that could not be read (read.example_files names each): they are left out, nothing more."""
    more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
    return f"An example could not be read and is left out{more}: {skipped[0]}"
