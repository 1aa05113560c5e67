"""Word-embedding models written from scratch (numba inner loops), each mirroring a library.

* :class:`Word2Vec` - skip-gram / CBOW with negative sampling (gensim's ``Word2Vec``)
* :class:`GloVe` - weighted least squares on co-occurrence counts (Stanford's ``glove``)
* :mod:`fasttext` - character n-grams and FNV-1a buckets (gensim / Facebook fastText)
* :mod:`tables` - hashing trick, collision rates and table memory for categorical features

Taught in: chapter 02.
"""

from embedcourse.models import fasttext, tables
from embedcourse.models.fasttext import char_ngrams, ft_hash, ngram_buckets, oov_vector
from embedcourse.models.glove import GloVe, cooccurrence_matrix, glove_loss
from embedcourse.models.tables import collision_rate, expected_collision_rate, hash_bucket, table_bytes
from embedcourse.models.word2vec import Word2Vec, sgns_loss

__all__ = [
    "Word2Vec",
    "sgns_loss",
    "GloVe",
    "cooccurrence_matrix",
    "glove_loss",
    "fasttext",
    "char_ngrams",
    "ft_hash",
    "ngram_buckets",
    "oov_vector",
    "tables",
    "hash_bucket",
    "collision_rate",
    "expected_collision_rate",
    "table_bytes",
]
