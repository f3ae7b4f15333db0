"""A person's examples as nearest neighbours in feature space, their votes blended into the model's reading.

Each example is a row of features (taught.space: the model's features beside the digit's pixels, or
the pixels alone for a model without a features output) and a label. A drawing's features are compared
with every example by cosine distance (1 - cosine similarity: 0 for the same direction; features after
a ReLU, and pixels, are never negative, so it lies in [0, 1]). Of the `k` nearest, those closer than
`distance` vote for their label, each with the weight 1 - d / distance (1 for a copy, 0 at the edge),
and the votes v are added to the model's calibrated log-probabilities:

    p' = p * exp(weight * v) / sum(p * exp(weight * v))

so p' sums to 1, NOT_DIGIT gets no vote (a taught digit is a digit), and a drawing with no example
closer than `distance` is read exactly as without examples. Why a product and not a mixture
(p + weight * v) / (1 + weight * sum v): the votes must beat the model's own odds, so a person's
style, which the model reads unsure or wrong at odds of tens to hundreds, is turned by an example or
two while a digit the model reads at odds of thousands stays as it was. In bench/teach.py's replay of
the validation writers with the fast model, at distance 0.25, where either form left 1-2 later-digit
errors of 5, the mixture cost MNIST validation 45 to 225 errors in 5,000 (weights 3-100), the product
0 to 20 (weights 2-16).

The settings are chosen by `bench/teach.py --sweep` on the validation pen writers 19-20 and 5,000
MNIST validation images, one set for each space (docs/TEACH.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numrec.geometry import NUM_CLASSES


@dataclass(frozen=True)
class Blend:
    """How examples change a reading (see the module's formula)."""

    distance: float  # the cosine distance under which an example votes
    weight: float  # what one exact copy adds to its label's log-probability
    k: int  # at most this many nearest examples vote


# A model with a features output (numrec's exports since the choice): chosen by bench/teach.py --sweep
# for the fast recipe's model (MNIST and pen writers 1-18, 4 epochs), docs/TEACH.md.
FEATURE_BLEND = Blend(distance=0.25, weight=8.0, k=3)
# The pixel fallback: chosen by bench/teach.py --sweep for the shipped model of before the choice.
PIXEL_BLEND = Blend(distance=0.3, weight=4.0, k=1)


# Probabilities are floored at this before their log (float32's smallest normal number).
TINY = float(np.finfo(np.float32).tiny)


def unit_rows(features: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a row of zeros stays zeros: it is near nothing), as float32."""
    rows = np.asarray(features, np.float32)
    rows = rows.reshape(len(rows), -1) if rows.ndim != 2 else rows
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0), np.float32)


@dataclass(frozen=True)
class Neighbours:
    """Examples' unit features (N, F) and labels (N,); immutable, so a reader never sees one half added."""

    features: np.ndarray
    labels: np.ndarray
    blend: Blend

    @classmethod
    def of(cls, features: np.ndarray, labels: np.ndarray, blend: Blend) -> Neighbours:
        labels = np.asarray(labels, np.int64).reshape(-1)
        if len(features) != len(labels) or (len(labels) and not (0 <= labels.min() <= labels.max() < NUM_CLASSES)):
            raise ValueError("examples need one digit label 0-9 for each row of features")
        return cls(unit_rows(features), labels, blend)

    def __len__(self) -> int:
        return len(self.labels)

    def added(self, features: np.ndarray, labels: np.ndarray) -> Neighbours:
        """These examples and the new ones (features of the same model)."""
        new = Neighbours.of(features, labels, self.blend)
        if len(self) and new.features.shape[1] != self.features.shape[1]:
            raise ValueError(f"features of {new.features.shape[1]} values, the examples have {self.features.shape[1]}")
        both = np.concatenate([self.features, new.features]) if len(self) else new.features
        return Neighbours(both, np.concatenate([self.labels, new.labels]), self.blend)

    def votes(self, features: np.ndarray) -> np.ndarray:
        """(Q, F) a drawing's features -> (Q, 10) each digit's vote weight among the close examples."""
        queries = unit_rows(features)
        votes = np.zeros((len(queries), NUM_CLASSES), np.float32)
        if not len(self) or not len(queries):
            return votes
        distances = 1.0 - queries @ self.features.T  # (Q, N)
        k = min(self.blend.k, len(self))
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]  # the k nearest, in no order
        near = np.take_along_axis(distances, nearest, axis=1)
        weights = np.clip(1.0 - near / self.blend.distance, 0.0, None)
        rows = np.repeat(np.arange(len(queries)), k)
        np.add.at(votes, (rows, self.labels[nearest].reshape(-1)), weights.reshape(-1))
        return votes

    def blended(self, probs: np.ndarray, features: np.ndarray) -> np.ndarray:
        """(Q, 10 or 11) calibrated probabilities and (Q, F) features -> the probabilities with the votes in."""
        votes = self.votes(features)
        total = votes.sum(axis=1, keepdims=True)
        if not total.any():
            return probs  # no example near any drawing: the model's reading, unchanged
        lifted = np.zeros(probs.shape, np.float64)
        lifted[:, :NUM_CLASSES] = votes
        # p' proportional to p * exp(weight * v): the votes added to the calibrated logits (log p + const)
        scores = np.log(np.maximum(probs, TINY)) + self.blend.weight * lifted
        scores -= scores.max(axis=1, keepdims=True)
        blended = np.exp(scores) * ((probs > 0) | (lifted > 0))  # a 0 with no vote (a missing NOT_DIGIT) stays 0
        return np.asarray(blended / blended.sum(axis=1, keepdims=True), probs.dtype)
