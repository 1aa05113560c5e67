"""Training losses for embedding models, one per module: a function on embeddings plus a thin ``nn.Module``.

- :mod:`~embedcourse.losses.mnrl`: ``multiple_negatives_ranking_loss`` and
  ``MultipleNegativesRankingLoss`` (in-batch negatives, optional hard negatives; equal to
  sentence-transformers' ``MultipleNegativesRankingLoss``).
- :mod:`~embedcourse.losses.infonce`: ``nt_xent_loss`` (SimCLR) and ``symmetric_infonce_loss``
  (CLIP), with their modules ``NTXentLoss`` and ``SymmetricInfoNCELoss`` (chapter 04).

Every loss takes embedding tensors (rows are items, shape (B, d)) and returns a scalar tensor
through which gradients flow; ``scale`` is the inverse temperature 1 / tau; bad input raises a
clear ``ValueError``/``TypeError`` (the shared checks are in ``losses/_base.py``). Unlike the
rest of the package, importing :mod:`embedcourse.losses` imports torch: every loss is a torch
computation. ``import embedcourse`` itself stays light (subpackages load on first use).

Taught in: chapter 03 (in-batch negatives); chapter 08 (training).
"""

from embedcourse.losses import infonce, mnrl
from embedcourse.losses.infonce import *  # noqa: F403
from embedcourse.losses.mnrl import *  # noqa: F403

__all__ = [*mnrl.__all__, *infonce.__all__]
