"""Text checks: a list of str is a list of str, a tokenised corpus is a list of token lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_sentences", "check_texts", "check_text", "check_words", "check_counts"]


def check_sentences(sentences: Any, name: str = "sentences") -> list:
    """Check a tokenised corpus: a non-empty list (or iterable) of token lists; returns it as a list.

    A bare ``str`` or a list of ``str`` (untokenised text, which would otherwise be trained on
    its characters) raises ``TypeError`` naming ``name``; an empty corpus or one whose sentences
    are all empty raises ``ValueError``. Tokens are checked to be ``str`` by
    :meth:`embedcourse.text.Vocabulary.build`.
    """
    if isinstance(sentences, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of token lists (e.g. [['the', 'cat'], ['a', 'dog']]), not one "
            f"{type(sentences).__name__}; run embedcourse.text.tokenize (or sentences_from_texts) first."
        )
    if isinstance(sentences, np.ndarray) and sentences.dtype != object:
        raise TypeError(f"{name} must be a list of token lists; got a numpy array of dtype {sentences.dtype}.")
    try:
        sentences = list(sentences)
    except TypeError:
        raise TypeError(
            f"{name} must be a list of token lists; got {type(sentences).__name__}."
        ) from None
    if not sentences:
        raise ValueError(f"{name} is empty; pass at least one tokenised sentence.")
    for i, s in enumerate(sentences):
        if isinstance(s, (str, bytes)):
            raise TypeError(
                f"{name} must be a list of token lists, but sentence {i} is a {type(s).__name__} "
                f"({s[:30]!r}); tokenise each text first, e.g. [tokenize(t) for t in texts]."
            )
        if not isinstance(s, (list, tuple)):
            raise TypeError(f"{name}: sentence {i} is a {type(s).__name__}; each sentence must be a list of str tokens.")
    if not any(len(s) for s in sentences):
        raise ValueError(f"{name} holds no tokens (all {len(sentences)} sentences are empty); pass tokenised, non-empty text.")
    return sentences


def _str_list(value: Any, name: str, item: str, *, allow_empty: bool, plural: str = "") -> list[str]:
    """The one "list of str" check: a bare str (which would be read letter by letter), None,
    a non-iterable, a 2-d array, an item that is not a str and (unless ``allow_empty``) an
    empty list raise, each with a message naming ``name``."""
    plural = plural or f"{item}s"
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of {plural}, not a single {type(value).__name__} "
            f"{value!r:.40}; wrap it: [{value!r:.40}]."
        )
    if value is None:
        raise TypeError(f"{name} is None; pass a list of {plural}.")
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise ValueError(f"{name} must be a 1-d list of {plural}; got an array of shape {value.shape}.")
    try:
        out = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list of {plural}; got {type(value).__name__}.") from None
    if not out and not allow_empty:
        raise ValueError(f"{name} is empty; pass at least one {item}.")
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] is {type(t).__name__} ({t!r:.40}); every {item} must be a str.")
    return [str(t) for t in out]


def check_texts(texts: Any, name: str = "texts", *, allow_empty: bool = False) -> list[str]:
    """A list of str documents; a bare str, None, a non-str item or (by default) no text raises."""
    return _str_list(texts, name, "document", allow_empty=allow_empty, plural="strings (one per document)")


def check_text(text: Any, name: str = "text") -> str:
    """One str (not bytes, not a list of str)."""
    if not isinstance(text, str):
        hint = "; pass one string (for several texts, call it once per text)" if isinstance(text, (list, tuple)) else ""
        raise TypeError(f"{name} must be a str; got {type(text).__name__}{hint}.")
    return text


def check_words(words: Any, name: str = "words", *, allow_empty: bool = False) -> list[str]:
    """A list of str words; a bare str (which would be read letter by letter) is a TypeError."""
    return _str_list(words, name, "word", allow_empty=allow_empty)


def check_counts(counts: Any, name: str = "counts") -> np.ndarray:
    """A non-empty 1-d array of finite, positive counts, as float64."""
    if isinstance(counts, (str, bytes)):
        raise TypeError(f"{name} must be a 1-d array of positive word counts; got a {type(counts).__name__}.")
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of word counts; got shape {c.shape}.")
    if c.dtype == bool or not (np.issubdtype(c.dtype, np.integer) or np.issubdtype(c.dtype, np.floating)):
        raise TypeError(f"{name} has dtype {c.dtype}; expected positive numbers (one per vocabulary word).")
    c = c.astype(np.float64)
    if not np.isfinite(c).all():
        raise ValueError(f"{name} contains NaN or infinity (first at {int(np.flatnonzero(~np.isfinite(c))[0])}).")
    if (c <= 0).any():
        raise ValueError(
            f"{name} must be positive numbers (one per vocabulary word); "
            f"entry {int(np.flatnonzero(c <= 0)[0])} is {c[c <= 0][0]:g}."
        )
    return c
