"""Long documents: cut them into overlapping chunks, embed the chunks, pool the chunk vectors.

A transformer encoder sees at most ``max_seq_length`` tokens (256 for all-MiniLM-L6-v2); the
rest of a longer text is silently dropped. The usual remedy is to cut the text into windows of
``size`` units that overlap by ``overlap`` units (so a sentence cut at a boundary is whole in
the next window), embed each window, and then either pool the chunk vectors into one document
vector (:func:`pool_chunks`) or score a query against every chunk and keep each document's best
chunk (:func:`max_sim_scores`, "max-sim").

Taught in: chapter 03.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

import numpy.typing as npt

from embedcourse._validation import as_matrix, check_choice, check_texts
from embedcourse.ops import normalize_rows

__all__ = [
    "chunk_text",
    "chunk_corpus",
    "pool_chunks",
    "max_sim_scores",
    "embed_long_document",
    "CHUNK_POOLING",
]

CHUNK_POOLING = ("mean", "max", "first")


def _check_window(size: Any, overlap: Any) -> tuple[int, int]:
    for name, v in (("size", size), ("overlap", overlap)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number; got {v!r}.")
    if size < 1:
        raise ValueError(f"size must be at least 1; got {size}.")
    if overlap < 0:
        raise ValueError(f"overlap must be 0 or more; got {overlap}.")
    if overlap >= size:
        raise ValueError(
            f"overlap ({overlap}) must be smaller than size ({size}): each window must move "
            f"forward by size - overlap >= 1 units."
        )
    return int(size), int(overlap)


def _windows(n: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) windows of ``size`` with ``overlap`` covering 0..n; the last may be shorter."""
    step = size - overlap
    out = []
    start = 0
    while True:
        end = min(start + size, n)
        out.append((start, end))
        if end >= n:
            return out
        start += step


def _tokenizer_of(tokenizer: Any) -> Any:
    tok = getattr(tokenizer, "tokenizer", tokenizer)  # a SentenceTransformer carries .tokenizer
    if tok is None or not callable(tok) or not getattr(tok, "is_fast", False):
        raise TypeError(
            "unit='tokens' needs a Hugging Face fast tokenizer or a sentence-transformers model "
            "(e.g. tokenizer=ec.data.load_minilm()); got "
            f"{type(tokenizer).__name__}."
        )
    return tok


def _token_offsets(tok: Any, text: str) -> list[tuple[int, int]]:
    """Character spans of the tokens of ``text`` (no special tokens, no truncation, no warning)."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "sequence longer than the maximum": expected, we chunk it
    try:
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True, truncation=False)
    finally:
        hf_logging.set_verbosity(level)
    return enc["offset_mapping"]


def chunk_text(
    text: str,
    size: int,
    overlap: int = 0,
    unit: str = "words",
    *,
    tokenizer: Any = None,
    max_chunks: int | None = None,
) -> list[str]:
    """Cut ``text`` into windows of ``size`` words or tokens that overlap by ``overlap``.

    Parameters
    ----------
    text : str
    size : int
        Window length in ``unit``s (for MiniLM, 254 tokens leaves room for ``[CLS]``/``[SEP]``).
    overlap : int
        Units shared by consecutive windows, ``0 <= overlap < size``.
    unit : {"words", "tokens"}
        "words" splits on whitespace and joins each window with single spaces; "tokens" counts
        the tokenizer's sub-word tokens (no special tokens) and cuts the original text at token
        boundaries, so each chunk re-tokenises to at most ``size`` tokens.
    tokenizer : Hugging Face fast tokenizer or sentence-transformers model
        Required for ``unit="tokens"``.
    max_chunks : int, optional
        Keep only the first ``max_chunks`` windows (a cost cap: the rest of the text is dropped).

    Returns
    -------
    list of str
        One chunk if the text fits in one window; consecutive chunks start ``size - overlap``
        units apart, and the last chunk ends at the end of the text.

    Examples
    --------
    >>> chunk_text("a b c d e f g", size=4, overlap=2)
    ['a b c d', 'c d e f', 'e f g']

    Taught in: chapter 03.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}.")
    size, overlap = _check_window(size, overlap)
    if unit not in ("words", "tokens"):
        raise ValueError(f"unit must be 'words' or 'tokens'; got {unit!r}.")
    if max_chunks is not None and (isinstance(max_chunks, bool) or not isinstance(max_chunks, (int, np.integer)) or max_chunks < 1):
        raise ValueError(f"max_chunks must be a positive int or None; got {max_chunks!r}.")
    if not text.strip():
        raise ValueError("text is empty (or only whitespace); there is nothing to chunk.")
    if unit == "words":
        words = text.split()
        return [" ".join(words[a:b]) for a, b in _windows(len(words), size, overlap)[:max_chunks]]
    tok = _tokenizer_of(tokenizer)
    offsets = _token_offsets(tok, text)
    if not offsets:
        raise ValueError("text has no tokens for this tokenizer; there is nothing to chunk.")
    return [text[offsets[a][0] : offsets[b - 1][1]] for a, b in _windows(len(offsets), size, overlap)[:max_chunks]]


def chunk_corpus(
    texts: Sequence[str],
    size: int,
    overlap: int = 0,
    unit: str = "words",
    *,
    tokenizer: Any = None,
    max_chunks: int | None = None,
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Chunk every text; return all chunks and the index of the document each came from.

    Parameters are those of :func:`chunk_text`, applied to each text.

    Returns
    -------
    chunks : list of str, length n_chunks
    doc_index : numpy.ndarray of int64, shape (n_chunks,)
        ``doc_index[c]`` is the position in ``texts`` of chunk ``c``; non-decreasing.

    Taught in: chapter 03.
    """
    texts = check_texts(texts, "texts")
    chunks: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        try:
            cs = chunk_text(t, size, overlap, unit, tokenizer=tokenizer, max_chunks=max_chunks)
        except ValueError as exc:
            if "empty" in str(exc) or "no tokens" in str(exc):
                raise ValueError(f"document {i} is empty (texts[{i}]); drop empty documents before chunking.") from exc
            raise
        chunks.extend(cs)
        owner.extend([i] * len(cs))
    return chunks, np.asarray(owner, dtype=np.int64)


def _check_index(X: npt.ArrayLike, doc_index: npt.ArrayLike) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], int]:
    E = as_matrix(X, "X", dtype=np.float32)
    idx = np.asarray(doc_index)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"doc_index must be a 1-d array of integer document ids; got dtype {idx.dtype}, shape {idx.shape}.")
    if idx.shape[0] != E.shape[0]:
        raise ValueError(
            f"X has {E.shape[0]} rows but doc_index has {idx.shape[0]} entries; "
            f"pass one document id per chunk (the doc_index from chunk_corpus)."
        )
    if idx.min() < 0:
        raise ValueError("doc_index has negative ids.")
    n_docs = int(idx.max()) + 1
    missing = np.setdiff1d(np.arange(n_docs), idx)
    if missing.size:
        raise ValueError(f"document {int(missing[0])} has no chunk in doc_index; every document needs at least one.")
    return E, idx, n_docs


def pool_chunks(X: npt.ArrayLike, doc_index: npt.ArrayLike, pooling: str = "mean") -> npt.NDArray[np.float32]:
    """One unit-length vector per document from its chunks' vectors.

    Parameters
    ----------
    X : array-like, shape (n_chunks, d)
        The chunk embeddings.
    doc_index : array-like of int, shape (n_chunks,)
        Document id of each chunk (ids ``0 .. n_docs-1``, each present).
    pooling : {"mean", "max", "first"}
        "mean" averages the unit chunk vectors; "max" takes the per-dimension maximum;
        "first" keeps the first chunk only (what truncation to one window gives).

    Returns
    -------
    numpy.ndarray, shape (n_docs, d), float32, rows of unit length

    Taught in: chapter 03.
    """
    pooling = check_choice("pooling", pooling, CHUNK_POOLING)
    E, idx, n_docs = _check_index(X, doc_index)
    E = normalize_rows(E, zero_rows="keep")
    out = np.zeros((n_docs, E.shape[1]), np.float32)
    if pooling == "mean":
        np.add.at(out, idx, E)
        out /= np.bincount(idx, minlength=n_docs)[:, None]
    elif pooling == "max":
        out[:] = -np.inf
        np.maximum.at(out, idx, E)
    else:
        first = np.unique(idx, return_index=True)[1]
        out = E[first].copy()
    return normalize_rows(out, zero_rows="keep").astype(np.float32)


def max_sim_scores(Q: npt.ArrayLike, X: npt.ArrayLike, doc_index: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Score each (query, document) pair by the cosine of the query with the document's best chunk.

    Parameters
    ----------
    Q : array-like, shape (n_queries, d) (or (d,))
        The query embeddings.
    X : array-like, shape (n_chunks, d)
        The chunk embeddings.
    doc_index : array-like of int, shape (n_chunks,)

    Returns
    -------
    numpy.ndarray, shape (n_queries, n_docs), float32
        Rank documents with ``embedcourse.topk.top_k(scores, k)``.

    Taught in: chapter 03.
    """
    E, idx, n_docs = _check_index(X, doc_index)
    Q = as_matrix(Q, "Q", dtype=np.float32, allow_1d=True)
    if Q.shape[1] != E.shape[1]:
        raise ValueError(
            f"Q has {Q.shape[1]} columns but X has {E.shape[1]}; both must come from "
            f"the same encoder (same dimension d)."
        )
    S = normalize_rows(Q, zero_rows="keep") @ normalize_rows(E, zero_rows="keep").T
    # reduceat needs each document's chunks side by side: sort chunks by document id first
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])
    out = np.maximum.reduceat(S[:, order], starts, axis=1)
    return out.astype(np.float32)


def embed_long_document(
    model: Any,
    text: str,
    size: int | None = None,
    overlap: int = 32,
    pooling: str = "mean",
    *,
    unit: str = "tokens",
) -> npt.NDArray[np.float32]:
    """Embed a text of any length: chunk it, encode the chunks, pool them into one unit vector.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
    text : str
    size : int, optional
        Window length; default for ``unit="tokens"`` is the model's ``max_seq_length - 2``
        (254 for MiniLM: every chunk is seen whole), for ``unit="words"`` 150.
    overlap : int
    pooling : {"mean", "max", "first"}
        See :func:`pool_chunks`.
    unit : {"tokens", "words"}

    Returns
    -------
    numpy.ndarray, shape (d,), float32, unit length

    Taught in: chapter 03.
    """
    pooling = check_choice("pooling", pooling, CHUNK_POOLING)
    if size is None:
        size = int(getattr(model, "max_seq_length", 256)) - 2 if unit == "tokens" else 150
    chunks = chunk_text(text, size, overlap, unit, tokenizer=model if unit == "tokens" else None)
    E = np.asarray(model.encode(chunks, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False), dtype=np.float32)
    return pool_chunks(E, np.zeros(len(chunks), np.int64), pooling)[0]
