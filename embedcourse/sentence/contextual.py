"""Token-level (contextual) embeddings from the transformer inside a sentence-transformers model.

``SentenceTransformer`` hides two steps: a BERT-style transformer (``model[0].auto_model``)
that gives one vector per WordPiece token, and a pooling layer that averages them. This module
opens the first step: :func:`token_embeddings` returns the tokens and their vectors,
:func:`word_vector_in_context` finds the word-pieces of one word (``"riverbank"`` is
``river`` + ``##bank``) and averages them, so "bank" by a river and "bank" that lends money get
different vectors. :func:`encode_pooled` runs the transformer once over a corpus and returns
several poolings (mean, max, CLS) of the same token outputs, cached on disk.

Taught in: chapter 03.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice, check_int, check_texts
from embedcourse.cache import cache_array, content_hash
from embedcourse.sentence.pooling import POOLING_MODES, pool

__all__ = ["token_embeddings", "word_vector_in_context", "encode_pooled"]


def _parts(model: Any) -> tuple[Any, Any, int]:
    """(transformer, tokenizer, max_length) of a sentence-transformers model, with clear errors."""
    try:
        first = model[0]
        transformer = first.auto_model
        tokenizer = model.tokenizer
    except (TypeError, AttributeError, IndexError, KeyError) as exc:
        raise TypeError(
            f"model must be a sentence-transformers model whose first module holds a Hugging Face "
            f"transformer (e.g. ec.data.load_minilm()); got {type(model).__name__}."
        ) from exc
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError("the model's tokenizer is not a 'fast' tokenizer; word alignment needs one.")
    max_length = int(getattr(model, "max_seq_length", None) or tokenizer.model_max_length)
    return transformer, tokenizer, max_length


def _check_text(text: Any, name: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string; got {type(text).__name__}.")
    if not text.strip():
        raise ValueError(f"{name} is empty; pass a non-empty text.")
    return text


def _forward(transformer: Any, enc: Any) -> Any:
    import torch

    inputs = {k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    with torch.inference_mode():
        return transformer(**inputs).last_hidden_state


def token_embeddings(
    model: Any, sentence: str, *, max_length: int | None = None
) -> tuple[list[str], npt.NDArray[np.float32]]:
    """The WordPiece tokens of ``sentence`` and the transformer's output vector for each.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        A BERT-style model such as ``ec.data.load_minilm()``.
    sentence : str
    max_length : int, optional
        Truncate to this many tokens (default: the model's ``max_seq_length``, 256 for MiniLM).

    Returns
    -------
    tokens : list of str, length n_tokens
        Including the special tokens ``[CLS]`` (first) and ``[SEP]`` (last).
    vectors : numpy.ndarray, shape (n_tokens, d), float32
        The last hidden state (d = 384 for MiniLM); their mean is the model's sentence vector
        before normalisation.

    Taught in: chapter 03.
    """
    sentence = _check_text(sentence, "sentence")
    transformer, tokenizer, default_len = _parts(model)
    if max_length is not None:
        check_int("max_length", max_length, 1, None, hint=" (tokens, or None for the model's window)")
    enc = tokenizer(sentence, truncation=True, max_length=max_length or default_len, return_tensors="pt")
    hidden = _forward(transformer, enc)[0]
    return enc.tokens(0), hidden.float().cpu().numpy().astype(np.float32)


def word_vector_in_context(model: Any, sentence: str, word: str, *, occurrence: int = 0) -> npt.NDArray[np.float32]:
    """The contextual vector of ``word`` in ``sentence``: the mean of its word-piece vectors.

    Words are matched case-insensitively as whole words of the tokenizer's pre-tokenisation
    (punctuation is split off, so ``"bank."`` matches ``"bank"``); a word cut into several
    pieces (``"overdraft"`` -> ``over``, ``##dra``, ``##ft``) gets the mean of all its pieces.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
    sentence : str
    word : str
        A single word (no spaces).
    occurrence : int
        Which occurrence to use when the word appears several times (0 = first).

    Returns
    -------
    numpy.ndarray, shape (d,), float32

    Raises
    ------
    ValueError
        If ``word`` does not occur in ``sentence`` (the message lists the words it found).

    Taught in: chapter 03.
    """
    sentence = _check_text(sentence, "sentence")
    word = _check_text(word, "word").strip()
    if any(c.isspace() for c in word):
        raise ValueError(f"word must be a single word without spaces; got {word!r}.")
    occurrence = check_int("occurrence", occurrence, 0, None, hint=" (0 = first occurrence)")
    transformer, tokenizer, max_length = _parts(model)
    enc = tokenizer(sentence, truncation=True, max_length=max_length, return_offsets_mapping=True, return_tensors="pt")
    word_ids = enc.word_ids(0)
    offsets = enc["offset_mapping"][0].tolist()
    spans: dict[int, list[int]] = {}
    for pos, wid in enumerate(word_ids):
        if wid is not None:
            spans.setdefault(wid, []).append(pos)
    found, matches = [], []
    for positions in spans.values():
        start, end = offsets[positions[0]][0], offsets[positions[-1]][1]
        text = sentence[start:end]
        found.append(text)
        if text.lower() == word.lower():
            matches.append(positions)
    if len(matches) <= occurrence:
        raise ValueError(
            f"word {word!r} (occurrence {occurrence}) not found in the sentence; its words are {found}."
        )
    enc.pop("offset_mapping")
    hidden = _forward(transformer, enc)[0].float().cpu().numpy()
    return hidden[matches[occurrence]].mean(axis=0).astype(np.float32)


def encode_pooled(
    model: Any,
    texts: Sequence[str],
    pooling: str | Sequence[str] = POOLING_MODES,
    *,
    batch_size: int = 32,
    max_length: int | None = None,
    model_name: str | None = None,
    cache: bool = True,
) -> npt.NDArray[np.float32] | dict[str, npt.NDArray[np.float32]]:
    """Run the transformer once over ``texts`` and pool its token outputs in one or several ways.

    Texts are sorted by length before batching (as ``SentenceTransformer.encode`` does, so
    batches carry little padding) and returned in the input order. Results are cached on disk
    by a content hash of the texts, the poolings, the model name and ``max_length``.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
    texts : sequence of str, length n
    pooling : {"mean", "max", "cls"} or a sequence of them
        One pooling (the result is then one array) or several (a dict, one array each).
    batch_size : int
    max_length : int, optional
        Truncation length in tokens (default: the model's ``max_seq_length``).
    model_name : str, optional
        Identifies the model in the cache key.
    cache : bool
        Use the on-disk cache of :mod:`embedcourse.cache`.

    Returns
    -------
    numpy.ndarray of shape (n, d), float32, not normalised, for one ``pooling`` (a str);
    a dict mapping each pooling to such an array for a sequence of them.
        ``"mean"`` equals ``model.encode(texts, normalize_embeddings=False)`` (to ~1e-6)
        for a mean-pooling model.

    Taught in: chapter 03.
    """
    texts = check_texts(texts, "texts")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts must be strings; item {i} is {type(t).__name__}.")
    single = isinstance(pooling, str)
    modes: list[str] = [pooling] if isinstance(pooling, str) else list(pooling)
    if not modes:
        raise ValueError(f"pooling is empty; choose from {POOLING_MODES}.")
    for m in modes:
        check_choice("pooling", m, POOLING_MODES)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    transformer, tokenizer, default_len = _parts(model)
    max_length = int(max_length or default_len)
    if model_name is None:
        model_name = f"{type(transformer).__name__}-{transformer.config.hidden_size}-{transformer.config.num_hidden_layers}"

    def compute() -> npt.NDArray[np.float32]:
        lengths = [len(t) for t in texts]
        order = np.argsort([-n for n in lengths], kind="stable")
        out = np.zeros((len(modes), len(texts), transformer.config.hidden_size), np.float32)
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                            max_length=max_length, return_tensors="pt")
            hidden = _forward(transformer, enc)
            for j, mode in enumerate(modes):
                out[j, idx] = pool(hidden, enc["attention_mask"], mode).float().cpu().numpy()
        return out

    if cache:
        key = content_hash("encode-pooled-v1", model_name, max_length, modes, texts)
        stacked = cache_array(key, compute, namespace="encoded")
    else:
        stacked = compute()
    if single:
        return stacked[0]
    return {m: stacked[j] for j, m in enumerate(modes)}
