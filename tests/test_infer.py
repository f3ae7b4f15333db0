from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numrec.geometry import IMAGE_SIZE, NUM_CLASSES
from numrec.read import ink as ik
from numrec.read import pieces as pc
from numrec.read.images import PIXEL_LIMITS, ImageError, load_image
from numrec.read.recognizer import Recognizer
from numrec.read.strokes import Strokes
from support.drawn_data import mnist_test, recognizer
from support.imagefiles import encode, zero_png


def mnist_on_canvas(index: int, dark_on_light: bool = True) -> tuple[np.ndarray, int]:
    """MNIST test digit `index` scaled 6x onto a 300x400 canvas, off-centre."""
    images, labels = mnist_test()
    big = np.asarray(Image.fromarray(images[index]).resize((168, 168), Image.Resampling.BICUBIC))
    canvas = np.zeros((300, 400), dtype=np.uint8)
    canvas[100:268, 210:378] = big
    return (255 - canvas if dark_on_light else canvas), int(labels[index])


def test_blank_canvas_reports_no_digit() -> None:
    for canvas in (np.full((280, 280), 255, np.uint8), np.zeros((280, 280), np.uint8)):
        p = recognizer().predict(canvas)
        assert (p.status, p.number, p.digits) == ("no_digit", None, ())
    assert recognizer().predict(Strokes(280, 280, 15, [])).status == "no_digit"


@pytest.mark.parametrize("brush", [3, 8, 15, 25, 40])
@pytest.mark.parametrize("where", [(20.0, 20.0), (140.0, 140.0), (260.0, 200.0)])
def test_a_stray_dot_reports_no_digit(brush: int, where: tuple[float, float]) -> None:
    for drag in (0.0, brush / 4):
        dot = Strokes(280, 280, brush, [[where, (where[0] + drag, where[1] + drag)]])
        assert recognizer().predict(dot).status == "no_digit"
        assert recognizer().predict(255 - dot.render()).status == "no_digit"
        assert recognizer().predict(dot.render(), multi=False).status == "no_digit"


def test_a_digit_anywhere_on_a_canvas_is_read_with_its_box() -> None:
    canvas, label = mnist_on_canvas(0)
    p = recognizer().predict(canvas)
    assert p.number == str(label) and p.status in ("ok", "unsure")
    x, y, w, h = p.digits[0].box
    assert x >= 210 and y >= 100 and x + w <= 378 and y + h <= 268 and h >= 100  # inside the pasted digit
    assert p.digits[0].image.shape == (IMAGE_SIZE, IMAGE_SIZE) and p.digits[0].image.dtype == np.float32


def test_polarity_and_alpha_do_not_change_the_reading() -> None:
    canvas, label = mnist_on_canvas(1)
    rgba = np.zeros((*canvas.shape, 4), np.uint8)
    rgba[..., 3] = 255 - canvas
    readings = [recognizer().predict(src, multi=False) for src in (canvas, 255 - canvas, Image.fromarray(rgba))]
    assert [r.number for r in readings] == [str(label)] * 3


def test_confidence_is_calibrated_probability_and_status_follows_threshold() -> None:
    r = recognizer()
    images, _ = mnist_test()
    for img in images[:30]:
        p = r.predict(img, multi=False)
        d = p.digits[0]
        assert len(d.probabilities) == NUM_CLASSES and abs(sum(d.probabilities) + d.not_digit - 1) < 1e-6
        assert d.confidence == max(d.probabilities) and d.digit == int(np.argmax(d.probabilities))
        if d.not_digit >= r.thresholds.not_digit:
            assert p.status == "not_digit" and p.number is None
        else:
            assert p.status == ("unsure" if d.confidence < r.unsure_threshold else "ok")


def test_a_number_is_read_left_to_right() -> None:
    images, labels = mnist_test()
    strip = np.hstack([images[i] for i in (3, 4, 5)])
    p = recognizer().predict(255 - strip)
    assert p.number == "".join(str(labels[i]) for i in (3, 4, 5))
    assert [d.box[0] for d in p.digits] == sorted(d.box[0] for d in p.digits)
    assert len(recognizer().predict(255 - strip, multi=False).digits) == 1


def test_to_dict_has_the_design_json_shape() -> None:
    d = recognizer().predict(mnist_test()[0][0]).to_dict()
    assert set(d) == {"number", "digits", "status"}
    # DESIGN.md's fields, and (added with the 11-output model) the chance that the segment is not a digit
    assert set(d["digits"][0]) == {"digit", "confidence", "probabilities", "box", "not_digit"}
    assert 0.0 <= d["digits"][0]["not_digit"] <= 1.0 and len(d["digits"][0]["probabilities"]) == 10
    assert len(d["digits"][0]["box"]) == 4


def test_strokes_of_a_one_are_read_as_one() -> None:
    one = Strokes(280, 280, 6, [[(140.0, 40.0), (141.0, 120.0), (142.0, 230.0)]])
    p = recognizer().predict(one)
    assert p.number == "1"
    assert p.digits[0].box == (137, 37, 8, 196)


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ImageError, match="shape"):
        recognizer().predict(np.zeros((2, 3, 4, 5), np.uint8))
    with pytest.raises(ImageError, match="expected"):
        recognizer().predict(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"hello, I am text renamed to .png\n", "not an image"),
        (encode(Image.new("L", (60, 60)))[:-40], "corrupt or truncated"),
        (encode(Image.new("L", (1, 1))), "too small"),
    ],
)
def test_load_image_refuses_unreadable_data(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        load_image(data)


def test_load_image_refuses_a_huge_image_before_decoding_it() -> None:
    data = zero_png(20000, 20000)
    assert len(data) < 2_000_000
    with pytest.raises(ImageError, match=f"more than the limit of {PIXEL_LIMITS['PNG']:,} pixels for PNG"):
        load_image(data)


def test_load_image_reads_jpeg_and_gif(tmp_path: Path) -> None:
    canvas, label = mnist_on_canvas(2)
    for fmt in ("JPEG", "GIF", "BMP", "WEBP"):
        path = tmp_path / f"digit.{fmt.lower()}"
        Image.fromarray(canvas).save(path, format=fmt)
        assert recognizer().predict(load_image(path)).number == str(label)


def test_load_image_refuses_an_image_over_its_own_limit_from_the_header() -> None:
    data = zero_png(8000, 6000)  # 48 MP: under Pillow's bomb limit, over numrec's
    with pytest.raises(ImageError, match="8000x6000 pixels, more than the limit"):
        load_image(data)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1, 0),  # a 2 pushed into a 7
        # a 7 into a 4: the lattice alone reads "71" (the 4 cut), unsure; the line model reads 74 (since [numbers])
        (0, 4),
    ],
)
def test_touching_digits_are_split_where_they_touch(left: int, right: int) -> None:
    images, labels = mnist_test()
    strip = np.zeros((28, 42), np.uint8)
    strip[:, :28] = images[left]
    np.maximum(strip[:, 14:], images[right], out=strip[:, 14:])
    canvas = 255 - np.kron(strip, np.ones((4, 4), np.uint8))
    ink = ik.normalise_contrast(ik.ink_map(canvas))
    assert len(pc.label_pieces(ik.ink_mask(ink))[1]) == 1  # their ink is one piece
    assert recognizer().predict(canvas).number == f"{labels[left]}{labels[right]}"


def test_a_foreign_onnx_model_without_a_card_works_uncalibrated(tmp_path: Path) -> None:
    foreign = tmp_path / "other.onnx"
    foreign.write_bytes(recognizer().model.path.read_bytes())
    r = Recognizer(foreign)
    assert r.card == {} and r.model.temperature == 1.0
    canvas, label = mnist_on_canvas(0)
    assert r.predict(canvas).number == str(label)
