"""Sentence and document embeddings: pooling, baselines, chunking, contextual token vectors.

- pooling: ``mean_pool``, ``max_pool``, ``cls_pool`` (numpy or torch) over token vectors;
- baselines: ``TfidfEmbedder``, ``LSAEmbedder``, ``AverageWordVectors``, ``SIFEmbedder``;
- chunking: ``chunk_text``, ``chunk_corpus``, ``pool_chunks``, ``max_sim_scores``,
  ``embed_long_document`` for texts longer than the encoder's window;
- contextual: ``token_embeddings``, ``word_vector_in_context``, ``encode_pooled`` from the
  transformer inside a sentence-transformers model.

Taught in: chapter 03.
"""

from embedcourse.sentence.baselines import (
    AverageWordVectors,
    LSAEmbedder,
    SIFEmbedder,
    TfidfEmbedder,
    randomized_svd,
)
from embedcourse.sentence.chunking import (
    CHUNK_POOLING,
    chunk_corpus,
    chunk_text,
    embed_long_document,
    max_sim_scores,
    pool_chunks,
)
from embedcourse.sentence.contextual import encode_pooled, token_embeddings, word_vector_in_context
from embedcourse.sentence.pooling import POOLING_MODES, cls_pool, max_pool, mean_pool, pool

__all__ = [
    "mean_pool",
    "max_pool",
    "cls_pool",
    "pool",
    "POOLING_MODES",
    "TfidfEmbedder",
    "LSAEmbedder",
    "AverageWordVectors",
    "SIFEmbedder",
    "randomized_svd",
    "chunk_text",
    "chunk_corpus",
    "pool_chunks",
    "max_sim_scores",
    "embed_long_document",
    "CHUNK_POOLING",
    "token_embeddings",
    "word_vector_in_context",
    "encode_pooled",
]
