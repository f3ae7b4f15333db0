"""The window's keyboard shortcuts, free of Tk: which key sequences run which command, on which windowing system.

Each letter is bound in both cases: with Caps Lock on, Tk reports Ctrl+Z as
keysym "Z", and a binding for "z" alone would never fire. Shift, not the case,
tells Ctrl+Shift+Z (redo) from Ctrl+Z (undo). The digit keys, plain (top row or
keypad), correct a reading: the shown digit was that one; the arrow keys pick
which digit of a number is shown. No other shortcut uses a plain digit or arrow.
"""

from __future__ import annotations

# Tk's event state bit for Shift (Lock is 0x2 and is ignored on purpose).
SHIFT = 0x1
# command -> the letter that runs it with Control (and with Command on macOS).
LETTERS = {"undo": "z", "redo": "y", "number": "n", "open": "o", "save": "s", "copy": "c"}
PLAIN = (
    ("<Return>", "recognize"),
    ("<KP_Enter>", "recognize"),
    ("<Escape>", "clear"),
    ("<Left>", "previous"),
    ("<Right>", "next"),
)
# The digit keys that teach: the top row's and the keypad's (Num Lock on).
DIGITS = tuple((f"<Key-{d}>", d) for d in range(10)) + tuple((f"<KP_{d}>", d) for d in range(10))
# The help line's shortcuts, a line each: editing, files, correcting.
HELP = (
    (("Enter", "recognize"), ("Esc", "clear"), ("{mod}Z", "undo"), ("{mod}Y", "redo")),
    (("{mod}N", "number mode"), ("{mod}O", "open"), ("{mod}S", "save"), ("{mod}C", "copy")),
    (("0-9", "correct the reading"), ("\N{LEFTWARDS ARROW}\N{RIGHTWARDS ARROW}", "pick which digit")),
)
# Tk's event state bits for Control and for Alt (X11) or Command (macOS): a digit key with them teaches nothing.
CONTROL, MOD1 = 0x4, 0x8


def modifiers(windowing_system: str) -> list[str]:
    """Control everywhere; on macOS (Tk's "aqua") the Command key too, as Mac users expect."""
    return ["Control", "Command"] if windowing_system == "aqua" else ["Control"]


def sequences(windowing_system: str) -> list[tuple[str, str]]:
    """(Tk event sequence, command) for every shortcut."""
    found = list(PLAIN)
    for command, letter in LETTERS.items():
        for mod in modifiers(windowing_system):
            found += [(f"<{mod}-{letter}>", command), (f"<{mod}-{letter.upper()}>", command)]
    return found


def command_for(command: str, state: int) -> str:
    """The command a key runs given the modifier state: with Shift, the undo letter redoes."""
    return "redo" if command == "undo" and state & SHIFT else command


def teaches(state: int) -> bool:
    """Whether a digit key pressed in this modifier state corrects the reading (plain, or with Num Lock or Shift)."""
    return not state & (CONTROL | MOD1)


def help_lines(windowing_system: str) -> str:
    """The shortcuts in lines of plain words, with the platform's modifier."""
    mod = "\N{PLACE OF INTEREST SIGN}" if windowing_system == "aqua" else "Ctrl+"
    return "\n".join("   ".join(f"{key.format(mod=mod)} {what}" for key, what in line) for line in HELP)
