"""The window's buttons, pen width and mode choice (Tk widgets only), under the canvas and the result.

Each has a fixed name (.edit.undo, .files.copy, .pen.width, .mode.number ...), for
automation and the Xvfb tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numrec.faces.desktop import style as st
from numrec.faces.desktop.drawing import PEN_FACTORS

EDIT = (("recognize", "Recognize"), ("clear", "Clear"), ("undo", "Undo"), ("redo", "Redo"))
FILES = (("open", "Open..."), ("save", "Save..."), ("copy", "Copy"))


def build_controls(
    tk: Any, root: Any, px: Callable[[float], int], actions: dict[str, Callable[[], None]], number: Any, pen: Any
) -> dict[str, Any]:
    """Rows 1 and 2 of the window's grid; `actions` runs each button, "number" and "pen" the other two.

    Returns the buttons by name (the view enables Undo and Redo as the history allows).
    """
    pad = px(st.PAD)
    buttons: dict[str, Any] = {}
    for row, column, frame_name, items in ((1, 0, "edit", EDIT), (1, 1, "files", FILES)):
        frame = tk.Frame(root, name=frame_name, bg=st.BACK)
        frame.grid(row=row, column=column, sticky="w", padx=(pad, 0) if column == 0 else pad, pady=(pad, pad // 2))
        for name, text in items:
            buttons[name] = tk.Button(frame, name=name, text=text, command=actions[name])
            buttons[name].configure(width=8 if frame_name == "edit" else 0)
            buttons[name].pack(side="left", padx=(0, pad // 2))
    frame = tk.Frame(root, name="pen", bg=st.BACK)
    frame.grid(row=2, column=0, sticky="w", padx=(pad, 0), pady=(0, pad // 2))
    tk.Label(frame, text="Pen width", bg=st.BACK, fg=st.INK).pack(side="left", padx=(0, pad // 2))
    scale = tk.Scale(frame, name="width", from_=1, to=len(PEN_FACTORS), orient="horizontal", variable=pen)
    scale.configure(showvalue=False, length=px(120), bg=st.BACK, highlightthickness=0)
    scale.configure(command=lambda _value: actions["pen"]())
    scale.pack(side="left")
    frame = tk.Frame(root, name="mode", bg=st.BACK)
    frame.grid(row=2, column=1, sticky="w", padx=pad, pady=(0, pad // 2))
    for name, text, on in (("digit", "Digit", False), ("number", "Number", True)):
        radio = tk.Radiobutton(frame, name=name, text=text, variable=number, value=on, command=actions["number"])
        radio.configure(bg=st.BACK, activebackground=st.BACK, highlightthickness=0)
        radio.pack(side="left")
    return buttons
