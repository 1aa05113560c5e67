"""A small convolutional encoder whose last layer is the embedding.

Two blocks of 3x3 convolution (padding 1, so the size is kept: (s + 2 - 3) / 1 + 1 = s), ReLU
and 2x2 max-pooling (s -> s / 2), then a linear layer to ``embed_dim``. On 8x8 digits the
feature maps go 8 -> 4 -> 2; on 28x28 MNIST 28 -> 14 -> 7. A classifier puts a linear head on
top of this output: the embedding is then the classifier's penultimate layer.

Taught in: chapter 04.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from embedcourse._validation import check_int
from embedcourse.image._checks import as_images
from embedcourse.training import seeded

__all__ = ["SmallCNN"]


class SmallCNN(nn.Module):
    """conv(3x3) - ReLU - maxpool(2) - conv(3x3) - ReLU - maxpool(2) - flatten - linear.

    Parameters
    ----------
    embed_dim : int
        Dimension of the output embedding.
    image_size : int
        Height and width of the (square) input images, a multiple of 4 (8 for digits, 28 for MNIST).
    channels : int
        Feature maps of the first block; the second has twice as many.
    in_channels : int
        Channels of the input (1 for grey images).
    random_state : int
        Seed of the initial weights (the global generator is untouched).

    Examples
    --------
    >>> SmallCNN(embed_dim=32)(torch.rand(5, 1, 8, 8)).shape
    torch.Size([5, 32])

    Taught in: chapter 04.
    """

    def __init__(self, embed_dim: int = 32, image_size: int = 8, channels: int = 16, in_channels: int = 1,
                 random_state: int = 0) -> None:
        super().__init__()
        self.embed_dim = check_int("embed_dim", embed_dim, 1, 4096)
        self.image_size = check_int("image_size", image_size, 4, 1024)
        if self.image_size % 4:
            raise ValueError(f"image_size must be a multiple of 4 (two 2x2 poolings); got {image_size}.")
        channels = check_int("channels", channels, 1, 512)
        self.in_channels = check_int("in_channels", in_channels, 1, 16)
        side = self.image_size // 4
        self.layers = seeded(lambda: nn.Sequential(
            nn.Conv2d(self.in_channels, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(2 * channels * side * side, self.embed_dim)), random_state)

    def forward(self, x: Any) -> torch.Tensor:
        """Embed a batch of images.

        Parameters
        ----------
        x : torch.Tensor, shape (b, in_channels, image_size, image_size)

        Returns
        -------
        torch.Tensor, shape (b, embed_dim)
        """
        x = as_images(x, "x")
        expected = (self.in_channels, self.image_size, self.image_size)
        if tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (b, {', '.join(map(str, expected))}); got {tuple(x.shape)}.")
        return self.layers(x)
