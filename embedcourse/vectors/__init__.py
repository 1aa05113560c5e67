"""Word-vector stores with gensim's ``KeyedVectors`` verbs (chapters 01, 02).

``WordVectors(vectors, words)`` holds one vector per word and answers ``most_similar``,
``similarity``, ``doesnt_match``, analogies and the standard benchmarks
(``evaluate_word_analogies``, ``evaluate_word_pairs``) exactly as gensim does;
``to_gensim()`` / ``WordVectors.from_gensim(kv)`` convert both ways.
"""

from embedcourse.vectors.keyed import WordVectors

__all__ = ["WordVectors"]
