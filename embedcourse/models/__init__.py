"""Word-embedding models written from scratch (numba inner loops), each mirroring a library.

* :mod:`~embedcourse.models.word2vec` - :class:`Word2Vec`, skip-gram / CBOW with negative
  sampling (gensim's ``Word2Vec``);
* :mod:`~embedcourse.models.glove` - :class:`GloVe`, weighted least squares on co-occurrence
  counts (Stanford's ``glove``);
* :mod:`~embedcourse.models.ppmi` - :class:`PPMISVD`, positive PMI and a truncated SVD, the
  count-based baseline (Levy et al., 2015);
* :mod:`~embedcourse.models.fasttext` - character n-grams and FNV-1a buckets (gensim /
  Facebook fastText).

The hashing trick for categorical features is in :mod:`embedcourse.features`.

Taught in: chapter 02.
"""

from embedcourse.models import fasttext, glove, ppmi, two_tower, word2vec
from embedcourse.models.fasttext import *  # noqa: F403
from embedcourse.models.glove import *  # noqa: F403
from embedcourse.models.ppmi import *  # noqa: F403
from embedcourse.models.two_tower import *  # noqa: F403
from embedcourse.models.word2vec import *  # noqa: F403

__all__ = [*word2vec.__all__, *glove.__all__, *ppmi.__all__, *fasttext.__all__, *two_tower.__all__]
