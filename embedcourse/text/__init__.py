"""Text pipeline for word embeddings: tokenisation, vocabulary, subsampling, negative sampling.

Taught in: chapter 02 (``tokenize`` is reused in chapter 03).
"""

from embedcourse.text.corpus import (
    TOKEN_PATTERN,
    Vocabulary,
    context_pairs,
    draw_negatives,
    negative_distribution,
    negative_table,
    sentences_from_texts,
    split_sentences,
    subsample_probs,
    tokenize,
)

__all__ = [
    "TOKEN_PATTERN",
    "tokenize",
    "split_sentences",
    "sentences_from_texts",
    "Vocabulary",
    "subsample_probs",
    "negative_distribution",
    "negative_table",
    "draw_negatives",
    "context_pairs",
]
