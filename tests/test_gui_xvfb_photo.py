"""The real window under Xvfb reading a phone photo of a number: Open shows it, scaled, with a box on each digit.

The photo (support/photo_files.py) is opened through Tk's own Open dialog; the canvas items
say where the picture and boxes are, and a screen grab shows they are painted. With
NUMREC_SCREENSHOTS=docs this test also makes docs/screenshot-app-photo.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.faces.desktop import style as st
from support.app_window import AppWindow
from support.photo_files import number_photo
from support.xvfb import have_x_tools, xdotool

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not have_x_tools(), reason="needs Xvfb and xdotool")]
Rect = tuple[float, float, float, float]
MATCH = 8  # mean difference, in grey levels, of the picture on screen from the file scaled alike


def coords(window: AppWindow, item: str) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in window.send(f".canvas coords {item}").split())
    return x0, y0, x1, y1


def grab(window: AppWindow, path: str = ".canvas") -> Image.Image:
    """A widget (the canvas unless told) as the screen shows it."""
    from PIL import ImageGrab

    x, y, w, h = window.rect(path)
    return ImageGrab.grab(xdisplay=window.env["DISPLAY"]).crop((x, y, x + w, y + h)).convert("RGB")


def outline_share(shot: Image.Image, box: Rect, colour: str) -> float:
    """The share of the rows along a box's left edge where the screen shows `colour` (within 2 pixels of it)."""
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    # The canvas has a 1-pixel highlight border: canvas coordinates start 1 pixel into the widget.
    x, rows = round(box[0]) + 1, range(round(box[1]) + 3, round(box[3]) - 2)
    hits = [any(shot.getpixel((x + d, y + 1)) == want for d in range(-2, 3)) for y in rows]
    return sum(hits) / len(hits)


def test_an_opened_photo_shows_scaled_with_a_box_on_each_digit(window: AppWindow, tmp_path: Path) -> None:
    photo = number_photo(tmp_path)
    window.key("ctrl+n")
    window.wait_title("numrec: draw a number")
    window.open_file(photo.path)
    window.wait_title(f"numrec: {photo.text}")  # ok, or unsure ("2024? unsure"): a number's bar is 0.999
    xdotool(window.env, "windowfocus", "--sync", window.wid)
    # The picture: fitted into the canvas, its aspect kept, centred.
    cw, ch = (int(v) for v in window.send("list [winfo width .canvas] [winfo height .canvas]").split())
    px0, py0, px1, py1 = (float(v) for v in window.send(".canvas bbox picture").split())
    scale = min(cw / photo.size[0], ch / photo.size[1])
    assert abs((px1 - px0) - photo.size[0] * scale) <= 3 and abs((py1 - py0) - photo.size[1] * scale) <= 3
    assert abs(px0 - (cw - (px1 - px0)) / 2) <= 3 and abs(py0 - (ch - (py1 - py0)) / 2) <= 3
    # One box a digit, left to right, on the writing: mapped back to the file, they cover its box.
    boxes = [coords(window, f"box{i}") for i in range(len(photo.text))]
    assert len(window.send(".canvas find withtag box").split()) == len(photo.text)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    union = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
    in_file = [(union[0] - px0) / scale, (union[1] - py0) / scale, (union[2] - px0) / scale, (union[3] - py0) / scale]
    slack = 0.1 * (photo.box[3] - photo.box[1])
    assert all(abs(a - b) <= slack for a, b in zip(in_file, photo.box, strict=True)), (in_file, photo.box)
    # What the screen shows: the photo itself, and each box's outline on it.
    shot = grab(window)
    shown = shot.crop((round(px0) + 1, round(py0) + 1, round(px1) + 1, round(py1) + 1))
    with Image.open(photo.path) as file:
        expected = file.convert("RGB").resize(shown.size)
    assert np.abs(np.asarray(shown, float) - np.asarray(expected, float)).mean() < MATCH, "the photo is not shown"
    for i, box in enumerate(boxes):
        colour = st.ACCENT if window.send(f".canvas itemcget box{i} -width") != "1.0" else st.OTHER
        assert outline_share(shot, box, colour) > 0.9, f"box {i} is not painted"
    if folder := os.environ.get("NUMREC_SCREENSHOTS"):
        grab(window, ".").save(Path(folder) / "screenshot-app-photo.png")
    window.click(".edit.clear")  # Clear gives back the blank canvas
    window.wait_title("numrec: draw a number")
    assert window.send(".canvas find all") == ""
