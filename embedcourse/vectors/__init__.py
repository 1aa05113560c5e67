"""Word-vector stores with gensim's ``KeyedVectors`` verbs, and analogies (chapters 01, 02).

``WordVectors(vectors, words)`` holds one vector per word and answers ``most_similar``,
``similarity``, ``doesnt_match``, analogies and the standard benchmarks
(``evaluate_word_analogies``, ``evaluate_word_pairs``) exactly as gensim does;
``to_gensim()`` / ``WordVectors.from_gensim(kv)`` convert both ways. :func:`solve_analogy`
answers "a is to b as c is to ?" with either kind of store, by the same rule as
``WordVectors.analogy``, and returns an :class:`AnalogyResult` the plots of
:mod:`embedcourse.viz` draw.
"""

from embedcourse.vectors import analogy, keyed
from embedcourse.vectors.analogy import *  # noqa: F403
from embedcourse.vectors.keyed import *  # noqa: F403

__all__ = [*keyed.__all__, *analogy.__all__]
