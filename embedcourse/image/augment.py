"""Random augmentations of image batches, written in torch: crops and shifts, rotations, noise.

One random affine map per image, applied by ``torch.nn.functional.affine_grid`` and
``grid_sample`` (bilinear, zeros outside the image): a rotation by up to ``max_rotation``
degrees, a zoom by a factor in ``[1, max_zoom]`` (a random crop resized back to full size), a
shift by up to ``max_shift`` of the image width, then Gaussian pixel noise, clipped to [0, 1].
Coordinates are torch's normalised ones: the image spans [-1, 1], so a shift of 0.25 of the
width is 0.5 in those units. Every draw comes from the ``generator`` passed in: the same seed
gives the same views.

Taught in: chapter 04 (SimCLR's two views).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from embedcourse._validation import check_float
from embedcourse.image._checks import as_images, check_generator

__all__ = ["random_affine"]


def random_affine(images: Any, generator: Any, *, max_rotation: float = 15.0, max_shift: float = 0.125,
                  max_zoom: float = 1.25, noise: float = 0.05) -> torch.Tensor:
    """A randomly rotated, zoomed (cropped), shifted and noised copy of every image.

    Parameters
    ----------
    images : torch.Tensor or array, shape (n, C, H, W)
    generator : torch.Generator or int
        Source of every random draw (an int seeds a new generator).
    max_rotation : float
        Largest rotation, in degrees (uniform in [-max_rotation, max_rotation]).
    max_shift : float
        Largest shift, as a fraction of the image width (uniform per axis).
    max_zoom : float
        Largest zoom factor >= 1; a zoom of z shows the central 1/z of the image (a crop).
    noise : float
        Standard deviation of the Gaussian noise added to each pixel, before clipping to [0, 1].

    Returns
    -------
    torch.Tensor, shape (n, C, H, W), float32
        No gradient flows back to ``images`` through the random draws (they are constants).

    Examples
    --------
    >>> views = random_affine(torch.rand(4, 1, 8, 8), generator=0)
    >>> views.shape
    torch.Size([4, 1, 8, 8])

    Taught in: chapter 04.
    """
    x = as_images(images)
    g = check_generator(generator)
    max_rotation = check_float("max_rotation", max_rotation, 0, 180)
    max_shift = check_float("max_shift", max_shift, 0, 1)
    max_zoom = check_float("max_zoom", max_zoom, 1, 4)
    noise = check_float("noise", noise, 0, 1)
    n = x.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=g)

    angle = uniform(-max_rotation, max_rotation) * math.pi / 180
    zoom = uniform(1.0, max_zoom)
    shift = 2 * max_shift * (2 * torch.rand(n, 2, generator=g) - 1)   # normalised units: width = 2
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom        # output pixel -> input pixel
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)   # (n, 2, 3)
    grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    out = torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    out = out + noise * torch.randn(out.shape, generator=g)
    return out.clamp(0.0, 1.0)
