"""The Python API reads every input kind a user has at hand: a path (str or Path), a file's bytes, a PIL image,
a numpy array, Strokes; predict_many reads a batch of them. Anything else is one clear line.

The drawing is a real MNIST test digit (the test set's first, a 7) at four times its size; each kind
must read it as the same 7, with the same box.
"""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import numrec
from numrec import ImageError, Prediction, Recognizer, Strokes, load_image
from numrec.mnist import load_split

SIDE = 112
ONE = Strokes(280, 280, 6, [[(140.0, 40.0), (141.0, 120.0), (142.0, 230.0)]])


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


@pytest.fixture(scope="module")
def seven(mnist_dir: Path) -> np.ndarray:
    images, labels = load_split(mnist_dir, "test")
    assert labels[0] == 7
    return np.asarray(Image.fromarray(np.asarray(images[0], np.uint8)).resize((SIDE, SIDE)))


@pytest.fixture(scope="module")
def seven_png(seven: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "seven.png"
    Image.fromarray(seven).save(path)
    return path


def read_as_seven(p: Prediction) -> tuple[int, int, int, int]:
    assert (p.status, p.number, len(p.digits)) == ("ok", "7", 1)
    box = p.digits[0].box
    assert 0 <= box[0] < box[0] + box[2] <= SIDE and 0 <= box[1] < box[1] + box[3] <= SIDE  # in the input's pixels
    return box


def test_a_path_as_a_str(recognizer: Recognizer, seven_png: Path) -> None:
    read_as_seven(recognizer.predict(str(seven_png)))


def test_a_path(recognizer: Recognizer, seven_png: Path) -> None:
    read_as_seven(recognizer.predict(seven_png))


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_the_bytes_of_an_image_file(recognizer: Recognizer, seven_png: Path, kind: type) -> None:
    read_as_seven(recognizer.predict(kind(seven_png.read_bytes())))


def test_a_pil_image(recognizer: Recognizer, seven: np.ndarray) -> None:
    read_as_seven(recognizer.predict(Image.fromarray(seven)))


def test_a_numpy_array(recognizer: Recognizer, seven: np.ndarray) -> None:
    read_as_seven(recognizer.predict(seven))


def test_strokes(recognizer: Recognizer) -> None:
    p = recognizer.predict(ONE)
    assert (p.status, p.number) == ("ok", "1")


def test_every_kind_finds_the_digit_in_one_place(recognizer: Recognizer, seven: np.ndarray, seven_png: Path) -> None:
    kinds = [str(seven_png), seven_png, seven_png.read_bytes(), Image.fromarray(seven), seven]
    assert len({read_as_seven(recognizer.predict(source)) for source in kinds}) == 1


def test_predict_many_reads_a_batch_of_mixed_kinds_in_order(
    recognizer: Recognizer, seven: np.ndarray, seven_png: Path
) -> None:
    batch = [str(seven_png), ONE, seven_png.read_bytes(), seven]
    assert [p.number for p in recognizer.predict_many(batch)] == ["7", "1", "7", "7"]
    assert [p.number for p in recognizer.predict_many(iter([ONE, seven]))] == ["1", "7"]  # any iterable
    assert recognizer.predict_many([]) == []
    (alone,) = recognizer.predict_many([seven], multi=False)
    assert alone.to_dict() == recognizer.predict(seven, multi=False).to_dict()


def test_a_batch_given_to_predict_points_to_predict_many(recognizer: Recognizer, seven_png: Path) -> None:
    with pytest.raises(ImageError, match=r"got list \(predict_many reads several\)$"):
        recognizer.predict([seven_png, seven_png])  # type: ignore[arg-type]


def test_one_drawing_given_to_predict_many_points_to_predict(recognizer: Recognizer, seven_png: Path) -> None:
    with pytest.raises(ImageError, match=r"predict_many reads a list of drawings, got a str \(predict reads one\)"):
        recognizer.predict_many(str(seven_png))


def test_something_that_is_no_drawing_is_named_in_one_line(recognizer: Recognizer) -> None:
    with pytest.raises(ImageError) as refused:
        recognizer.predict(None)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "expected a path, an image file's bytes, a PIL image, a numpy array or Strokes, got NoneType"
    )


def test_a_missing_file_is_one_line_that_names_it(recognizer: Recognizer, tmp_path: Path) -> None:
    missing = tmp_path / "nothing.png"
    with pytest.raises(ImageError) as refused:
        recognizer.predict(str(missing))
    message = str(refused.value)
    assert message.startswith(f"{missing}: ") and "No such file" in message and "\n" not in message


def test_a_file_that_is_no_image_is_one_line_that_names_it(recognizer: Recognizer, tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("shopping: eggs, milk\n")
    with pytest.raises(ImageError, match=rf"^{notes}: "):
        recognizer.predict(notes)


def test_load_image_takes_a_str_path_too(seven_png: Path) -> None:
    assert load_image(str(seven_png)).size == load_image(seven_png).size == (SIDE, SIDE)


def test_the_public_names_are_the_real_types() -> None:
    from numrec.read.recognizer import Recognizer as Real

    assert numrec.Recognizer is Real and "Recognizer" in dir(numrec)
    assert typing.get_args(numrec.Status) == ("ok", "unsure", "no_digit", "not_digit")
    assert typing.get_type_hints(Prediction)["status"] == numrec.Status
    assert Path(numrec.__file__).with_name("py.typed").exists()
