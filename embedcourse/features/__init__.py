"""Features for embedding tables: the hashing trick, collision rates, and table memory.

* :mod:`~embedcourse.features.hashing` - ``hash_bucket`` (a stable seeded hash),
  measured and expected collision rates, ``bag_inputs`` for ``torch.nn.EmbeddingBag``;
* :mod:`~embedcourse.features.memory` - ``table_bytes`` and ``format_bytes``.

Taught in: chapter 02.
"""

from embedcourse.features import hashing, memory
from embedcourse.features.hashing import *  # noqa: F403
from embedcourse.features.memory import *  # noqa: F403

__all__ = [*hashing.__all__, *memory.__all__]
