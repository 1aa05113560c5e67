"""Text pipeline for word embeddings: tokenisation, vocabulary, subsampling, negative sampling.

* :mod:`~embedcourse.text.tokenization` - ``tokenize``, ``split_sentences``,
  ``sentences_from_texts``, ``TOKEN_PATTERN``;
* :mod:`~embedcourse.text.vocabulary` - ``Vocabulary`` (counts, ``min_count``, ids);
* :mod:`~embedcourse.text.sampling` - ``subsample_probs``, ``negative_distribution``,
  ``negative_table``, ``draw_negatives``, ``context_pairs``.

Taught in: chapter 02 (``tokenize`` is reused in chapter 03).
"""

from embedcourse.text import sampling, tokenization, vocabulary
from embedcourse.text.sampling import *  # noqa: F403
from embedcourse.text.tokenization import *  # noqa: F403
from embedcourse.text.vocabulary import *  # noqa: F403

__all__ = [*tokenization.__all__, *vocabulary.__all__, *sampling.__all__]
