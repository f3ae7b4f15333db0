"""Named training recipes: a model and its training settings, chosen together.

"default" trains the shipped model. "fast" is for a quick model on a laptop:
a network about a third the cost, which passes 99.0% and 99.5% MNIST test
accuracy many times sooner, but reads held-out writers' pen digits less well,
which is why it does not make the shipped model (figures: docs/BENCHMARKS.md).
"""

from __future__ import annotations

from numrec.geometry import MAX_OUTPUTS
from numrec.train.loop import TrainConfig
from numrec.train.negatives import SHARE
from numrec.train.network import ModelConfig

RECIPES: dict[str, tuple[ModelConfig, TrainConfig]] = {
    # An 11th output, NOT_DIGIT, trained on negatives (negatives.py) 12% the size of the training
    # split: a model that has only seen digits calls a letter, a scribble, two digits run together
    # or half a digit a digit, often confidently, so a reading cannot tell a number from a guess
    # and the split search cannot tell a whole digit from a part. The negatives come from training
    # material only (MNIST's training split, pen writers 1-18 when --pen-data is given, fonts), so
    # the pen writers 19-20 stay free to set thresholds on and 21-30 to judge. 12% is enough to
    # learn the class without pulling digits towards it (the card reports how many test digits it
    # refuses); it costs an epoch 12% more steps, which bf16 (precision.py) more than pays for
    # where the CPU has AMX or AVX512-BF16.
    "default": (ModelConfig(outputs=MAX_OUTPUTS), TrainConfig(negatives=SHARE)),
    # One conv at full resolution, where a layer costs four times as much; a
    # head over the whole 7x7 map; the weight average makes early epochs useful.
    # Ten outputs, no negatives: the quick model stays a plain digit reader.
    "fast": (
        ModelConfig(widths=(16, 32, 64), convs_per_stage=(1, 2, 2), head="flat", dropout=0.0),
        TrainConfig(epochs=15, warmup=0.1, ema=0.999),
    ),
}
