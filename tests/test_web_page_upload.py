"""Reading an image file on the drawing page in real Chromium, chosen through the file chooser.

The file chooser opens from a real mouse click on "Open image…"; the image
must then show on the canvas, scaled to fit with its aspect kept, with the
digit boxes drawn onto it (support/web_page.py has the drivers).
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from support import web_page
from support.photo_files import number_photo
from support.web_page import SEVEN, SIZES, canvas_bounds, draw_with_mouse, screenshot

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser
server = pytest.fixture(scope="module")(web_page.server)
browser = pytest.fixture(scope="module")(web_page.browser)
BOX_GAP = 3  # pad.js draws a box this far outside its digit
SLACK = 3  # drawing units: anti-aliasing and the ink threshold
MATCH = 8  # mean difference, in grey levels, of the photo on the canvas from the file scaled alike
DASHED = 0.4  # a box's dashes (5 on, 4 off) cover over this share of its edge
# Whether the canvas shows something at its centre (an image placed there), not the blank pad's white.
SHOWN = """() => {
  const c = document.getElementById('pad');
  const [r, g, b] = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
  return r < 255 || g < 255 || b < 255;
}"""


@pytest.fixture()
def page(browser: Browser, server: tuple[str, int]) -> Iterator[Page]:
    pg: Page = web_page.open_page(browser, server[0])
    yield pg
    # A refused upload is a 4xx answer, which Chromium logs as a failed resource; nothing else may be logged.
    assert [p for p in pg.problems if "status of 400" not in p] == []
    pg.context.close()


@pytest.fixture()
def seventeen(tmp_path: Path) -> Path:
    """A 17 in black on a white 800 x 300 photo-like page: wider than the number canvas, and of another shape."""
    image = Image.new("L", (800, 300), 255)
    pen = ImageDraw.Draw(image)
    pen.line([(260, 60), (260, 240)], fill=0, width=18)
    pen.line([(420, 62), (560, 62), (470, 240)], fill=0, width=18, joint="curve")
    path = tmp_path / "seventeen.png"
    image.save(path)
    return path


def choose_file(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Open image…").click()
    chooser.value.set_files(str(path))


def ink_box(path: Path) -> tuple[int, int, int, int]:
    with Image.open(path) as image:
        box = ImageOps.invert(image.convert("L")).getbbox()
    assert box is not None
    return box


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def placed(box: tuple[float, ...], size: tuple[int, int], canvas: tuple[int, int]) -> list[float]:
    """Where (x0, y0, x1, y1) of an image of `size` lands on the canvas: scaled to fit, aspect kept, centred."""
    scale = min(canvas[0] / size[0], canvas[1] / size[1])
    dx, dy = (canvas[0] - size[0] * scale) / 2, (canvas[1] - size[1] * scale) / 2
    return [box[0] * scale + dx, box[1] * scale + dy, box[2] * scale + dx, box[3] * scale + dy]


def close(seen: list[float] | None, expected: list[float], slack: float = SLACK) -> bool:
    return seen is not None and all(abs(a - b) <= slack for a, b in zip(seen, expected, strict=True))


def boxes_of(server: tuple[str, int], path: Path) -> list[list[int]]:
    """The digit boxes the server finds in an image file, asked directly."""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    ask = urllib.request.Request(f"{server[0]}/api/predict?multi=1", path.read_bytes(), {"Content-Type": kind})
    with urllib.request.urlopen(ask) as answer:
        return [d["box"] for d in json.load(answer)["digits"]]


def test_an_uploaded_number_is_shown_on_the_canvas_with_its_boxes_on_it(
    page: Page, server: tuple[str, int], seventeen: Path
) -> None:
    boxes = boxes_of(server, seventeen)
    page.get_by_text("a number").click()
    choose_file(page, seventeen)
    expect(page.locator("#headline")).to_have_text("17")
    expect(page.locator(".digit")).to_have_count(2)
    size = image_size(seventeen)
    assert close(canvas_bounds(page), placed(ink_box(seventeen), size, (560, 280)))  # the image, scaled to fit
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[0] + b[2] for b in boxes))
    x0, y0, x1 = placed((*union[:2], union[2], 0), size, (560, 280))[:3]
    seen = canvas_bounds(page, "box")
    assert seen is not None and seen[0] >= 0 and seen[2] <= 560 and seen[1] >= 0 and seen[3] <= 280
    assert close(seen[:3], [x0 - BOX_GAP, y0 - BOX_GAP, x1 + BOX_GAP])  # the boxes sit on the digits
    page.get_by_text("one digit").click()  # the same image, read again as one digit, fits the square canvas
    expect(page.locator("#detail")).not_to_contain_text("Reading")
    ink = placed(ink_box(seventeen), size, (280, 280))
    assert close(canvas_bounds(page), ink)
    # On an image the box of what was read shows in this mode too (once the answer is in): one, round all the ink.
    page.wait_for_function(f"({web_page.CANVAS_BOUNDS})('box') !== null")
    assert close(canvas_bounds(page, "box"), [ink[0] - BOX_GAP, ink[1] - BOX_GAP, ink[2] + BOX_GAP, ink[3] + BOX_GAP])


def test_drawing_after_an_upload_replaces_the_image_and_undo_brings_it_back(page: Page, seventeen: Path) -> None:
    page.get_by_text("a number").click()
    choose_file(page, seventeen)
    expect(page.locator("#headline")).to_have_text("17")
    draw_with_mouse(page, SEVEN)
    expect(page.locator("#headline")).to_have_text("7")
    x0, _, x1, _ = canvas_bounds(page) or [0, 0, 0, 0]
    assert x0 > 70 and x1 < 210  # only the 7 just drawn: the image is gone
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#headline")).to_have_text("17")
    assert close(canvas_bounds(page), placed(ink_box(seventeen), image_size(seventeen), (560, 280)))


def test_a_failed_upload_shows_its_error_alone(page: Page, tmp_path: Path) -> None:
    draw_with_mouse(page, SEVEN)
    expect(page.locator(".digit")).to_have_count(1)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not a picture")
    choose_file(page, broken)
    expect(page.locator("#headline")).to_have_text("!")
    expect(page.locator("#detail")).not_to_have_text("")
    expect(page.locator(".digit")).to_have_count(0)  # no card of the 7 left under the error
    expect(page.get_by_role("button", name="Copy")).to_be_disabled()
    assert canvas_bounds(page) is None  # nor the 7 on the canvas


def test_the_same_file_can_be_chosen_again_after_clear(page: Page, seventeen: Path) -> None:
    page.get_by_text("a number").click()
    choose_file(page, seventeen)
    expect(page.locator("#headline")).to_have_text("17")
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("#headline")).to_have_text("?")
    assert canvas_bounds(page) is None
    choose_file(page, seventeen)
    expect(page.locator("#headline")).to_have_text("17")
    assert canvas_bounds(page) is not None


def canvas_image(page: Page) -> Image.Image:
    """The canvas's pixels, one per drawing unit (the page runs at a device pixel ratio of 1)."""
    url = page.evaluate("() => document.getElementById('pad').toDataURL('image/png')")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")


def dashed_share(canvas: np.ndarray, x: float, y0: float, y1: float) -> float:
    """The share of rows from y0 to y1 where a box's blue shows within a pixel of column x."""
    band = canvas[round(y0) + 2 : round(y1) - 2, max(round(x) - 1, 0) : round(x) + 2].astype(int)
    blue = (band[..., 2] > 170) & (band[..., 2] - band[..., 0] > 80)  # not paper, ruled lines or ink
    return float(blue.any(axis=1).mean())


def test_an_uploaded_photo_is_shown_with_a_box_on_each_digit(
    page: Page, server: tuple[str, int], tmp_path: Path
) -> None:
    photo = number_photo(tmp_path)
    boxes = boxes_of(server, photo.path)
    page.get_by_text("a number").click()
    choose_file(page, photo.path)
    expect(page.locator("#headline")).to_have_text(photo.text)
    expect(page.locator(".digit")).to_have_count(len(photo.text))  # and a 28x28 preview of each
    page.wait_for_function(SHOWN)  # the browser decodes the photo while the server reads it
    canvas = canvas_image(page)
    x0, y0, x1, y1 = placed((0, 0, *photo.size), photo.size, SIZES["number"])
    shown = canvas.crop((round(x0), round(y0), round(x1), round(y1)))
    with Image.open(photo.path) as file:
        expected = file.convert("RGB").resize(shown.size)
    assert np.abs(np.asarray(shown, float) - np.asarray(expected, float)).mean() < MATCH, "the photo is not shown"
    pixels = np.asarray(canvas)
    for bx, by, bw, bh in boxes:  # each digit's box on it, where the answer puts it
        left, top, _, bottom = placed((bx, by, bx + bw, by + bh), photo.size, SIZES["number"])
        assert dashed_share(pixels, left - BOX_GAP, top - BOX_GAP, bottom + BOX_GAP) > DASHED, (bx, by, bw, bh)
    screenshot(page, "screenshot-web-photo.png")
    page.get_by_role("button", name="Clear").click()  # Clear gives back the blank pad
    expect(page.locator("#headline")).to_have_text("?")
    assert np.asarray(canvas_image(page)).min() == 255
