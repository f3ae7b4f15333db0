"""What a person taught a Recognizer: their examples (examples.Examples) in the model's feature space.

`probabilities` is the Recognizer's one hook: the model's calibrated probabilities with the votes of
the examples near each digit blended in (neighbours.Neighbours.blended); with no example near a
digit it is the model's reading unchanged. `teach` keeps a new example and it counts from the next
reading on: no training, no torch.

Where examples and drawings are compared (`space`): for a model with a features output (numrec's exports
since the choice), its features and the digit's pixels (model.pixel_features) side by side, each scaled
to length 1, so that the cosine distance is the mean of the two spaces' own; for a model without one,
the pixels alone (the documented fallback). Each has its own settings (neighbours.FEATURE_BLEND,
PIXEL_BLEND). Why both and not the model's features alone: on 20 pen writers none of whom a fast
MNIST-only model had seen (bench/teach.py's replay), teaching cut 93 later-digit errors to 30 in the
model's features alone, 23 in the pixels alone and 22 in both, each at its best setting that cost MNIST
validation at most 2 errors in 5,000 for any writer's examples: the model's features know what makes
a digit that digit, the pixels what makes this person's writing theirs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from numrec.read.example_files import Loaded
from numrec.read.examples import Entry, Examples, ExampleSource
from numrec.read.model import OnnxModel, pixel_features
from numrec.read.neighbours import FEATURE_BLEND, PIXEL_BLEND, Blend, Neighbours, unit_rows


class Taught:
    """A store of examples and their features under one model; one instance serves many readings."""

    def __init__(self, model: OnnxModel, examples: Examples | str | Path, blend: Blend | None = None) -> None:
        self.model = model
        self.examples = examples if isinstance(examples, Examples) else Examples(examples)
        # The settings for this kind of features, unless given (bench/teach.py tries others).
        self.blend = blend or (FEATURE_BLEND if model.features_output else PIXEL_BLEND)
        self.reload()

    def reload(self) -> Loaded:
        """Read the folder again (another process may have taught or forgotten); what was read."""
        loaded = self.examples.read()
        features = self.space(loaded.images[:, None], self.model.features(loaded.images[:, None]))
        self.neighbours = Neighbours.of(features, loaded.labels, self.blend)  # one swap: readers see old or new
        return loaded

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """x: (N, 1, 28, 28) -> (N, 11) calibrated probabilities, the examples near each digit blended in."""
        neighbours = self.neighbours
        if not len(neighbours):
            return self.model.class_probabilities(x)
        probs, features = self.model.class_probabilities_and_features(x)
        return neighbours.blended(probs, self.space(x, features))

    def teach(
        self,
        image: np.ndarray,
        label: int,
        source: ExampleSource = None,
        box: tuple[int, int, int, int] | None = None,
    ) -> Entry:
        """Keep `image` (a DigitResult's 28x28, what the model read) as an example of `label`, in effect at once."""
        entry = self.examples.add(image, label, source, box)
        x = np.asarray(image, np.float32)[None, None]
        self.neighbours = self.neighbours.added(self.space(x, self.model.features(x)), np.array([label]))
        return entry

    def space(self, x: np.ndarray, features: np.ndarray) -> np.ndarray:
        return space(self.model, x, features)


def space(model: OnnxModel, x: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Where (N, 1, 28, 28) digits whose `features` are model.features(x) are compared with examples."""
    if model.features_output is None:
        return features  # the pixel fallback already
    return np.concatenate([unit_rows(features), unit_rows(pixel_features(x))], axis=1)
