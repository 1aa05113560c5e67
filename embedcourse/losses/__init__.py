"""Training losses for embedding models, one per module: a function on embeddings plus a thin ``nn.Module``.

- :mod:`~embedcourse.losses.mnrl`: ``multiple_negatives_ranking_loss`` and
  ``MultipleNegativesRankingLoss`` (in-batch negatives, optional hard negatives (B, d) or
  (B, K, d); equal to sentence-transformers' ``MultipleNegativesRankingLoss``), and the
  symmetric variant ``multiple_negatives_symmetric_ranking_loss`` /
  ``MultipleNegativesSymmetricRankingLoss``.
- :mod:`~embedcourse.losses.infonce`: ``nt_xent_loss`` (SimCLR) and ``symmetric_infonce_loss``
  (CLIP), with their modules ``NTXentLoss`` and ``SymmetricInfoNCELoss`` (chapter 04).
- :mod:`~embedcourse.losses.triplet`: ``triplet_loss`` (equal to ``torch.nn.TripletMarginLoss``)
  and the online-mining ``batch_hard_triplet_loss``, ``batch_semi_hard_triplet_loss`` and
  ``batch_all_triplet_loss`` on a labelled batch, with their modules ``TripletLoss``,
  ``BatchHardTripletLoss``, ``BatchSemiHardTripletLoss`` and ``BatchAllTripletLoss``.
- :mod:`~embedcourse.losses.contrastive`: the margin ``contrastive_loss`` on labelled pairs
  (Hadsell, Chopra and LeCun 2006) and ``online_contrastive_loss`` (hard pairs only), with
  ``ContrastiveLoss`` and ``OnlineContrastiveLoss``.

Every loss takes embedding tensors (rows are items, shape (B, d)) and returns a scalar tensor
through which gradients flow; ``scale`` is the inverse temperature 1 / tau, ``margin`` the gap
of the margin losses; bad input raises a clear ``ValueError``/``TypeError`` (the shared checks
are in ``losses/_base.py``). Unlike the rest of the package, importing :mod:`embedcourse.losses`
imports torch: every loss is a torch computation. ``import embedcourse`` itself stays light
(subpackages load on first use).

Taught in: chapter 03 (in-batch negatives); chapter 04 (NT-Xent, CLIP); chapter 08 (training).
"""

from embedcourse.losses import contrastive, infonce, mnrl, triplet
from embedcourse.losses.contrastive import *  # noqa: F403
from embedcourse.losses.infonce import *  # noqa: F403
from embedcourse.losses.mnrl import *  # noqa: F403
from embedcourse.losses.triplet import *  # noqa: F403

__all__ = [*mnrl.__all__, *infonce.__all__, *triplet.__all__, *contrastive.__all__]
