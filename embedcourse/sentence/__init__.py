"""Sentence and document embeddings: pooling, baselines, chunking, contextual token vectors.

- :mod:`~embedcourse.sentence.pooling`: ``mean_pool``, ``max_pool``, ``cls_pool``, ``pool``
  (numpy or torch) over token vectors;
- baselines: :mod:`~embedcourse.sentence.tfidf` (``TfidfEmbedder``), :mod:`~embedcourse.sentence.lsa`
  (``LSAEmbedder``, ``randomized_svd``), :mod:`~embedcourse.sentence.averaging`
  (``AverageWordVectors``, ``SIFEmbedder``), all ``fit(X, y=None)`` / ``transform(X)``;
- :mod:`~embedcourse.sentence.doc2vec`: ``infer_vectors``, gensim's Doc2Vec inference made
  repeatable across processes; :mod:`~embedcourse.sentence.pvdbow`: ``PVDBOW`` and
  ``pv_dbow_step``, PV-DBOW written from scratch in numpy;
- :mod:`~embedcourse.sentence.chunking`: ``chunk_text``, ``chunk_corpus``, ``pool_chunks``,
  ``max_sim_scores``, ``embed_long_document`` for texts longer than the encoder's window;
- :mod:`~embedcourse.sentence.contextual`: ``token_embeddings``, ``word_vector_in_context``,
  ``encode_pooled`` from the transformer inside a sentence-transformers model;
- :mod:`~embedcourse.sentence.encode`: ``cached_encode``, a corpus encoded once and read from
  disk afterwards.

Taught in: chapter 03.
"""

from embedcourse.sentence import averaging, chunking, contextual, doc2vec, encode, lsa, pooling, tfidf
from embedcourse.sentence.averaging import *  # noqa: F403
from embedcourse.sentence.chunking import *  # noqa: F403
from embedcourse.sentence.contextual import *  # noqa: F403
from embedcourse.sentence.doc2vec import *  # noqa: F403
from embedcourse.sentence.encode import *  # noqa: F403
from embedcourse.sentence.lsa import *  # noqa: F403
from embedcourse.sentence.pooling import *  # noqa: F403
from embedcourse.sentence.tfidf import *  # noqa: F403
from embedcourse.sentence import pvdbow
from embedcourse.sentence.pvdbow import *  # noqa: F403
from embedcourse.sentence import transformer_encoder, wordpiece
from embedcourse.sentence.transformer_encoder import *  # noqa: F403
from embedcourse.sentence.wordpiece import *  # noqa: F403

__all__ = [
    *pooling.__all__,
    *tfidf.__all__,
    *lsa.__all__,
    *averaging.__all__,
    *doc2vec.__all__,
    *chunking.__all__,
    *contextual.__all__,
    *encode.__all__,
    *pvdbow.__all__,
    *wordpiece.__all__,
    *transformer_encoder.__all__,
]
from embedcourse.sentence import finetune
from embedcourse.sentence.finetune import *  # noqa: F403
__all__ += finetune.__all__
