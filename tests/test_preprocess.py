import numpy as np
from PIL import Image

from numrec.geometry import DIGIT_BOX, IMAGE_SIZE
from numrec.read import digit as pp
from numrec.read import images
from numrec.read import ink as ik
from numrec.read.segment import pixel_view
from support.drawn_data import mnist_test


def bar(height: int = 120, width: int = 12, canvas: int = 200) -> np.ndarray:
    """A white canvas with a dark vertical bar: a drawn "1"."""
    img = np.full((canvas, canvas), 255, dtype=np.uint8)
    img[40 : 40 + height, 90 : 90 + width] = 0
    return img


def test_ink_map_reads_both_polarities_alike() -> None:
    dark_on_light = ik.ink_map(bar())
    light_on_dark = ik.ink_map(255 - bar())
    assert np.array_equal(dark_on_light, light_on_dark)
    assert dark_on_light[100, 95] == 1.0 and dark_on_light[10, 10] == 0.0


def test_ink_map_takes_alpha_as_ink_on_a_transparent_canvas() -> None:
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)
    rgba[10:40, 20:25, 3] = 255  # black ink, transparent background: grey alone shows nothing
    ink = ik.ink_map(rgba)
    assert ink[20, 22] == 1.0 and ink[5, 5] == 0.0


def test_image_to_array_handles_palette_and_alpha_images() -> None:
    p = Image.fromarray(bar()).convert("P")
    assert images.image_to_array(p).shape == (200, 200)
    assert images.image_to_array(Image.new("RGBA", (30, 20))).shape == (20, 30, 2)


def test_faint_image_counts_as_blank() -> None:
    img = np.full((100, 100), 200, dtype=np.uint8)
    img[40:60, 40:60] = 190  # a smudge, not ink
    assert not ik.normalise_contrast(ik.ink_map(img)).any()


def test_fit_box_keeps_the_aspect_so_a_one_stays_thin() -> None:
    fitted = pp.fit_box(ik.crop(ik.ink_map(bar(120, 12))))
    assert fitted.shape == (DIGIT_BOX, 2)


def test_centre_by_mass_puts_the_mass_at_the_centre() -> None:
    digit = np.zeros((20, 10), dtype=np.float32)
    digit[:, :3] = 1.0
    out = pp.centre_by_mass(digit)
    ys, xs = np.indices(out.shape)
    assert abs((xs * out).sum() / out.sum() - IMAGE_SIZE / 2) <= 0.5
    assert abs((ys * out).sum() / out.sum() - IMAGE_SIZE / 2) <= 0.5


def test_thin_lines_are_thickened_towards_mnist_width() -> None:
    thin = ik.crop(ik.ink_map(bar(150, 2)))
    assert pp.relative_stroke_width(thin) < pp.STROKE_RANGE[0]
    assert pp.relative_stroke_width(pp.normalise_stroke(thin)) > pp.relative_stroke_width(thin)


def test_reduce_size_shrinks_huge_canvases() -> None:
    assert ik.reduce_size(np.zeros((3000, 1000), np.uint8)).shape[0] <= ik.WORK_SIDE


def test_mnist_digits_pass_through_unchanged() -> None:
    images, _ = mnist_test()
    changed = 0
    for img in images[:500]:
        out = pixel_view(img)
        changed += not np.allclose(out, img / 255, atol=0.01)
    assert changed <= 10  # a few with out-of-range stroke widths get a gentle correction
