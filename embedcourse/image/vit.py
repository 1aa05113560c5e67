"""A tiny Vision Transformer: patch embeddings, a CLS token, position embeddings, an encoder.

An image of side s is cut into (s / p)^2 square patches of p x p pixels (:func:`patchify`);
each flattened patch goes through one linear map to ``dim`` numbers (the *patch embedding*,
equal to a convolution with kernel p and stride p), a learned CLS vector is put in front, a
learned *position embedding* is added to every token, and a stack of pre-norm transformer
encoder layers mixes them. The CLS token's final state, layer-normed and projected to
``embed_dim``, is the image's embedding (Dosovitskiy et al., 2021).

Taught in: chapter 04.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from embedcourse._validation import check_int
from embedcourse.image._checks import as_images
from embedcourse.training import seeded

__all__ = ["patchify", "TinyViT"]


def patchify(images: Any, patch_size: int) -> torch.Tensor:
    """Cut every image into non-overlapping square patches, in reading order.

    Parameters
    ----------
    images : torch.Tensor or array, shape (n, C, H, W)
        H and W must be multiples of ``patch_size``.
    patch_size : int

    Returns
    -------
    torch.Tensor, shape (n, (H / p) * (W / p), C * p * p)
        Row t of image i is patch t (left to right, top to bottom), flattened channel first.

    Examples
    --------
    >>> patchify(torch.rand(2, 1, 8, 8), 2).shape
    torch.Size([2, 16, 4])

    Taught in: chapter 04.
    """
    x = as_images(images)
    p = check_int("patch_size", patch_size, 1, None)
    n, c, h, w = x.shape
    if h % p or w % p:
        raise ValueError(f"patch_size={p} must divide the image height and width ({h}x{w}).")
    x = x.reshape(n, c, h // p, p, w // p, p)                # n, c, rows, p, cols, p
    return x.permute(0, 2, 4, 1, 3, 5).reshape(n, (h // p) * (w // p), c * p * p)


class TinyViT(nn.Module):
    """Patch embedding + CLS token + position embeddings + ``depth`` encoder layers.

    Parameters
    ----------
    embed_dim : int
        Dimension of the output embedding (a projection of the CLS token).
    image_size, patch_size : int
        Square images of side ``image_size``, cut into patches of side ``patch_size``.
    dim : int
        Width of the tokens inside the transformer.
    depth, heads : int
        Encoder layers and attention heads (``dim`` must be divisible by ``heads``).
    in_channels : int
    random_state : int
        Seed of the initial weights.

    Attributes
    ----------
    n_patches : int
        Tokens per image, without the CLS token.

    Examples
    --------
    >>> TinyViT(embed_dim=32)(torch.rand(3, 1, 8, 8)).shape
    torch.Size([3, 32])

    Taught in: chapter 04.
    """

    def __init__(self, embed_dim: int = 32, image_size: int = 8, patch_size: int = 2, dim: int = 32,
                 depth: int = 2, heads: int = 4, in_channels: int = 1, random_state: int = 0) -> None:
        super().__init__()
        self.embed_dim = check_int("embed_dim", embed_dim, 1, 4096)
        self.image_size = check_int("image_size", image_size, 1, 1024)
        self.patch_size = check_int("patch_size", patch_size, 1, self.image_size)
        if self.image_size % self.patch_size:
            raise ValueError(f"patch_size={patch_size} must divide image_size={image_size}.")
        dim = check_int("dim", dim, 1, 4096)
        depth = check_int("depth", depth, 1, 64)
        heads = check_int("heads", heads, 1, dim)
        if dim % heads:
            raise ValueError(f"dim={dim} must be divisible by heads={heads}.")
        self.in_channels = check_int("in_channels", in_channels, 1, 16)
        self.n_patches = (self.image_size // self.patch_size) ** 2
        patch_dim = self.in_channels * self.patch_size ** 2

        def build() -> None:
            self.patch_embed = nn.Linear(patch_dim, dim)
            self.cls = nn.Parameter(0.02 * torch.randn(1, 1, dim))
            self.pos = nn.Parameter(0.02 * torch.randn(1, self.n_patches + 1, dim))
            layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.0,
                                               activation="gelu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(dim)
            self.head = nn.Linear(dim, self.embed_dim)

        seeded(build, random_state)

    def tokens(self, x: Any) -> torch.Tensor:
        """The encoder's input: the CLS token and the patch embeddings, plus position embeddings.

        Parameters
        ----------
        x : torch.Tensor, shape (b, in_channels, image_size, image_size)

        Returns
        -------
        torch.Tensor, shape (b, 1 + n_patches, dim)
        """
        x = as_images(x, "x")
        expected = (self.in_channels, self.image_size, self.image_size)
        if tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (b, {', '.join(map(str, expected))}); got {tuple(x.shape)}.")
        patches = self.patch_embed(patchify(x, self.patch_size))          # (b, N, dim)
        cls = self.cls.expand(x.shape[0], -1, -1)                         # (b, 1, dim)
        return torch.cat([cls, patches], dim=1) + self.pos

    def forward(self, x: Any) -> torch.Tensor:
        """Embed a batch of images: the final CLS state, normed and projected.

        Parameters
        ----------
        x : torch.Tensor, shape (b, in_channels, image_size, image_size)

        Returns
        -------
        torch.Tensor, shape (b, embed_dim)
        """
        h = self.encoder(self.tokens(x))
        return self.head(self.norm(h[:, 0]))
