"""How every face words a confidence and a refusal: one rule for the command line and the window, mirrored by the page.

Never a rounded-up "100%": the model is calibrated, not infallible. The page's
static/app.js `pct` follows the same rule, and tests/data/percent_cases.json
holds the cases all of them are checked against.
"""

from __future__ import annotations

import math

# At or above this, a confidence reads ">99.9%".
TOP = 0.9995
# From here up, one decimal: 99.6% and 99.1% are different promises.
FINE = 0.99
# Below this (and above 0), "<1%" rather than "0%".
TINY = 0.005


def _half_up(value: float, places: int) -> str:
    """`value` rounded half up to `places` decimals (as the page's JavaScript does it, not banker's rounding)."""
    scale = 10**places
    return f"{math.floor(value * scale + 0.5) / scale:.{places}f}"


def percent(confidence: float) -> str:
    """0.97 -> "97%", 0.996 -> "99.6%", 0.99996 -> ">99.9%", 0.001 -> "<1%", 0 -> "0%"."""
    if confidence >= TOP:
        return ">99.9%"
    if 0 < confidence < TINY:
        return "<1%"
    return _half_up(100 * confidence, 1 if confidence >= FINE else 0) + "%"


# An unsure reading whose least sure digit is still at least this likely: a number's digits must each be
# 99.9% sure to be `ok` (the card's number_threshold), so "not sure (most likely 1, 99.4%)" would read as a
# contradiction; such a reading is worded "probably right, but check it" instead. static/app.js says the same.
ALMOST = 0.99


def almost_words(digit: int, sure: str, about: str = "") -> str:
    """An unsure reading at ALMOST or above: `about` names the digit of a number (" about the second digit")."""
    return f"Probably right, but not sure enough{about} ({digit} at {sure}): check it."


# An unsure reading whose least sure digit is at TOP or above passes the shipped card's thresholds (0.9916 a digit,
# 0.99928 a number), so it is unsure because two readings of it differ (the lattice and the line model,
# read/line_reading.py): "not sure enough (7 at >99.9%)" would say the opposite. static/app.js too. (A card
# whose thresholds are over TOP, up to train/thresholds.py's cap of 0.99999, would get these words wrongly.)
TWO_WAYS = "Probably right, but it can be read another way: check it."

# What an unsure reading under ALMOST ends with, the same in the window and on the page (static/app.js).
REDRAW = "Write it again, larger or more clearly."


# A reading whose ink is, at least in part, not a digit (status "not_digit"): the short form (the command
# line's line, the window's title) and the sentence, for one piece of ink or several. static/app.js says the same.
NOT_DIGIT = "not a digit"
NOT_DIGIT_ONE = "That doesn't look like a digit."
NOT_DIGIT_PART = "Part of this doesn't look like a digit."


def not_digit_words(segments: int) -> str:
    """The sentence for a not_digit reading of `segments` pieces of ink: one, or part of several."""
    return NOT_DIGIT_PART if segments > 1 else NOT_DIGIT_ONE


# An unsure reading whose least sure digit the model finds at least as likely to be no digit at all as to be
# its second digit (an X read "8, 59%" with 38% left for NOT_DIGIT): the words name that, not the next digit,
# so doubt about whether it is a digit at all is said, without REDRAW's advice (appended, it ran past the
# window's three lines even for "the first digit"; and the ink may be no digit). static/app.js says the same.
NO_DIGIT_AT_ALL = "no digit at all"


def unsure_words(digit: int, confidence: float, second: float, not_digit: float, about: str = "") -> str:
    """An unsure reading under ALMOST: its most likely digit at `confidence`, the next digit at `second`, and the
    model's NOT_DIGIT probability; `about` names the digit of a number (" about the second digit")."""
    best = f"{digit}, {percent(confidence)}"
    if not_digit < max(second, TINY):
        return f"Not sure{about} (most likely {best}). {REDRAW}"
    none = f"{NO_DIGIT_AT_ALL}, {percent(not_digit)}"
    first, then = (none, best) if not_digit > confidence else (best, none)
    return f"Not sure{about} (most likely {first}, or {then})."


# A reading corrected by the person (docs/TEACH.md), once the example is kept.
def learned_words(label: int, place: str = "") -> str:
    """What a person taught, once it is kept: "Learned: that was a 7. It counts from the next reading.";
    with `place` ("second"), which digit of a number it was."""
    what = f"the {place} digit was" if place else "that was"
    article = "an" if label == 8 else "a"
    return f"Learned: {what} {article} {label}. It counts from the next reading."
