"""The line model: a CNN over a whole number's ink, one column of scores every LINE_STRIDE pixels (CTC).

Input (N, 1, LINE_HEIGHT, W): a number's ink in [0, 1], cropped and scaled to LINE_HEIGHT rows
(read/line.py); W any multiple of LINE_STRIDE. Output (N, W / LINE_STRIDE, 11) logits: the CTC blank
first, then the ten digits. Reading a line whole needs no cut between digits: it is what reads digits
that touch or overlap, where no seam parts them (read/line.py says how its answer is used).
"""

from __future__ import annotations

import torch
from torch import nn

from numrec.geometry import LINE_CLASSES, LINE_HEIGHT

# Channels of the conv stages; pools (rows, columns) after each: 32 rows -> 1, columns / 4.
WIDTHS = (24, 48, 64, 96, 96)
POOLS = ((2, 2), (2, 2), (2, 1), (2, 1), (2, 1))
# 1-D convolutions over the columns after the rows are gone: each sees 5 more columns (20 px).
CONTEXT = 2
HIDDEN = 128


def _block(cin: int, cout: int, pool: tuple[int, int]) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(pool)
    )


class LineNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        stages, cin = [], 1
        for cout, pool in zip(WIDTHS, POOLS, strict=True):
            stages.append(_block(cin, cout, pool))
            cin = cout
        self.features = nn.Sequential(*stages)
        rows = LINE_HEIGHT
        for pool in POOLS:
            rows //= pool[0]
        context: list[nn.Module] = []
        width = cin * rows
        for _ in range(CONTEXT):
            context += [
                nn.Conv1d(width, HIDDEN, 5, padding=2, bias=False),
                nn.BatchNorm1d(HIDDEN),
                nn.ReLU(inplace=True),
            ]
            width = HIDDEN
        self.context = nn.Sequential(*context)
        self.classify = nn.Conv1d(width, LINE_CLASSES, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, LINE_HEIGHT, W) ink -> (N, W / LINE_STRIDE, LINE_CLASSES) logits."""
        f = self.features(x - 0.15)
        f = f.flatten(1, 2)  # (N, C * rows, T)
        scores: torch.Tensor = self.classify(self.context(f))
        return scores.transpose(1, 2)
