"""Batch augmentation on the CPU: random affine warps and stroke thickness.

Drawn digits differ from MNIST's in slant, size, position and pen width even
after preprocessing; these warps teach the model to shrug that off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from numrec.geometry import IMAGE_SIZE


@dataclass(frozen=True)
class AugmentConfig:
    rotate_deg: float = 12.0  # max rotation either way
    scale: float = 0.12  # zoom factor drawn from 1 +- scale
    shift_px: float = 2.5  # max shift in pixels along each axis
    shear: float = 0.15  # max horizontal shear (tan of the angle)
    # Probability of thickening, and of thinning, the strokes by about a pixel.
    thicken_p: float = 0.15
    thin_p: float = 0.15


def random_affine(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """x: (N, 1, H, W) -> the same shape, each image warped on its own."""
    n = x.shape[0]

    def uniform(limit: float) -> torch.Tensor:
        return (torch.rand(n, generator=gen) * 2 - 1) * limit

    angle = uniform(math.radians(cfg.rotate_deg))
    zoom = 1 + uniform(cfg.scale)
    shear = uniform(cfg.shear)
    # affine_grid works in [-1, 1] coordinates: one pixel is 2/size.
    tx, ty = uniform(cfg.shift_px * 2 / IMAGE_SIZE), uniform(cfg.shift_px * 2 / IMAGE_SIZE)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [torch.stack([cos, -sin + shear * cos, tx], 1), torch.stack([sin, cos + shear * sin, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def random_thickness(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Dilate (max filter) or erode (min filter) a random subset of images."""
    r = torch.rand(x.shape[0], generator=gen).view(-1, 1, 1, 1)
    dilated = F.max_pool2d(x, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-x, 3, stride=1, padding=1)
    # A 3x3 filter moves a stroke edge a full pixel; blend halfway so the
    # change is about one pixel of width in total, like a pen a size up or down.
    x = torch.where(r < cfg.thicken_p, (x + dilated) / 2, x)
    return torch.where((r >= cfg.thicken_p) & (r < cfg.thicken_p + cfg.thin_p), (x + eroded) / 2, x)


def augment(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    return random_thickness(random_affine(x, cfg, gen), cfg, gen)
