"""Canvas pixels read in two passes: the lattice search over the pixel atoms, then again where it found no digit.

A second pass for what the first leaves "not one digit": a merged pair narrower than WIDE, or cut
where its seams were too far apart, has its pieces cut again with seams FINE_GAP apart, the first
pass's seams kept, and its groups read again. A group whose new reading still holds such a segment,
or one whose best digit is under SURE, keeps its first reading (so a letter is still said to be not
a digit more often). A drawing read past lattice.MAX_PARTS is read once: its last segment holds the
ink of several groups, which a second reading would read again. Chosen on numbers of writers 1-18
and 19-20 (bench/pixel_tuning.py, docs/BENCHMARKS.md): tight ones read exactly 55.3% -> 62.7% (1-18)
and 71.3% -> 76.7% (19-20), spaced ones unchanged.
"""

from __future__ import annotations

import numpy as np

from numrec.geometry import NOT_DIGIT
from numrec.read.lattice import Probabilities, Segment, read_atoms
from numrec.read.pixel_atoms import PixelAtoms

# A segment the model calls not one digit more likely than DOUBT has its pieces cut again, finely.
DOUBT = 0.5
# A group read again keeps its new reading only if each segment's best digit is at least SURE likely (and none is
# doubtful): a letter cut into pieces that read as unsure digits stays "not a digit".
SURE = 0.5


def remembered(probabilities: Probabilities) -> Probabilities:
    """`probabilities`, each distinct image run through the model once: the second pass offers again the runs
    of its groups that no new cut touches, and gets the first's images back for them (PixelAtoms.drawn)."""
    known: dict[bytes, np.ndarray] = {}

    def read(images: np.ndarray) -> np.ndarray:
        keys = [image.tobytes() for image in images]
        new = [i for i, key in enumerate(keys) if key not in known]
        if new:
            known.update(zip((keys[i] for i in new), probabilities(images[new]), strict=True))
        return np.stack([known[key] for key in keys])

    return read


def read_pixels(atoms: PixelAtoms, probabilities: Probabilities) -> list[Segment]:
    """The best segmentation of a canvas's atoms (lattice.read_atoms), in two passes: the pieces of a segment
    read as no digit more likely than DOUBT are cut finely (piece_seams), and their groups read again. Every
    cut of the first pass is kept in the second, so its segmentations are among the second's, which scores at
    most as many images again."""
    probabilities = remembered(probabilities)
    first = read_atoms(atoms, probabilities)
    group_of = {a: g for g, group in enumerate(atoms.kept) for a in group}
    old = [{group_of[a] for a in s.key} for s in first]  # the groups of each segment's atoms
    doubtful = {atoms.piece[a] for s in first if s.probabilities[NOT_DIGIT] > DOUBT for a in s.key}
    if not doubtful or any(len(gs) > 1 for gs in old):
        return first  # nothing to read again, or a drawing read past lattice.MAX_PARTS: its last segment spans groups
    which = [g for g, members in enumerate(atoms.members) if any(p.label in doubtful for p in members)]
    finer = atoms.finer(which, frozenset(doubtful))
    second = read_atoms(finer, probabilities)
    finer_of = {a: which[g] for g, group in enumerate(finer.kept) for a in group}
    new = [{finer_of[a] for a in s.key} for s in second]
    refused = {g for s, gs in zip(second, new, strict=True) if not is_digit(s.probabilities) for g in gs}
    if refused and any(len(gs) > 1 for gs in new):
        refused = set(which)  # the second read past MAX_PARTS: all or nothing, or some ink would be read twice
    taken = set(which) - refused
    again = [s for s, gs in zip(first, old, strict=True) if not gs & taken]
    again += [s for s, gs in zip(second, new, strict=True) if gs <= taken]
    return sorted(again, key=lambda s: s.box[0] + s.box[2])


def is_digit(probabilities: np.ndarray) -> bool:
    """A segment of the second pass reads as one digit: not doubtful, and its best digit at least SURE."""
    return bool(probabilities[NOT_DIGIT] <= DOUBT and probabilities[:NOT_DIGIT].max() >= SURE)
