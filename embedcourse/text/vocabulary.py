"""The vocabulary of a tokenised corpus: counts, ``min_count``, ids, as in gensim's ``build_vocab``.

:class:`Vocabulary` counts tokens, drops words seen fewer than ``min_count`` times, sorts the
rest by frequency and turns sentences into one flat ``int32`` array plus sentence offsets, the
integer stream that :mod:`embedcourse.models` trains on.

Taught in: chapter 02.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import as_array

__all__ = ["Vocabulary"]


def _check_sentences(sentences: Any) -> list[Sequence[str]]:
    if sentences is None:
        raise TypeError("sentences is None; pass a list of token lists.")
    if isinstance(sentences, str):
        raise TypeError(
            "sentences must be a list of token lists, not one string; "
            "run embedcourse.text.tokenize (or sentences_from_texts) first."
        )
    sentences = list(sentences)
    for i, s in enumerate(sentences):
        if isinstance(s, str):
            raise TypeError(
                f"sentences must be a list of token lists, but sentence {i} is a str "
                f"({s[:30]!r}); tokenise each text first, e.g. [tokenize(t) for t in texts]."
            )
        if not isinstance(s, (list, tuple)):
            raise TypeError(
                f"sentence {i} is a {type(s).__name__}; each sentence must be a list of str tokens."
            )
    return sentences


def _first_bad_token(sentences: list[Sequence[str]]) -> tuple[int, int, Any]:
    for i, s in enumerate(sentences):
        for j, tok in enumerate(s):
            if not isinstance(tok, str):
                return i, j, tok
    return -1, -1, None  # pragma: no cover


@dataclass
class Vocabulary:
    """Words kept for training, sorted by decreasing count, with their counts.

    Build it with :meth:`Vocabulary.build`. Word ``words[i]`` has integer id ``i`` and count
    ``counts[i]``; ties in count keep first-seen order (gensim orders ties arbitrarily).

    Attributes
    ----------
    words : list of str, length V
    counts : numpy.ndarray of int64, shape (V,)
    index : dict str -> int
    n_tokens : int
        Tokens in the corpus before ``min_count`` (``counts.sum()`` is what remains).
    n_types : int
        Distinct tokens before ``min_count``.
    min_count : int

    Taught in: chapter 02.
    """

    words: list[str]
    counts: npt.NDArray[np.int64]
    n_tokens: int = 0
    n_types: int = 0
    min_count: int = 1
    index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.words, str) or self.words is None:
            raise TypeError("words must be a list of str (one per vocabulary entry), not one str or None.")
        self.words = list(self.words)
        counts = as_array(self.counts, "counts")
        if counts.ndim != 1 or counts.shape[0] != len(self.words):
            raise ValueError(
                f"counts must be 1-d with one count per word: words has {len(self.words)} entries, "
                f"counts has shape {counts.shape}."
            )
        if counts.size and (not np.issubdtype(counts.dtype, np.number) or counts.dtype == bool
                            or not np.isfinite(counts).all() or (counts < 0).any()
                            or (counts != np.round(counts)).any()):
            raise ValueError("counts must be whole numbers >= 0 (one per word).")
        self.counts = counts.astype(np.int64)
        if not self.index:
            self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        min_count: int = 5,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Count tokens and keep those seen at least ``min_count`` times.

        Parameters
        ----------
        sentences : iterable of list of str
            Tokenised sentences (see :func:`sentences_from_texts`).
        min_count : int
            Drop words rarer than this.
        max_size : int, optional
            Keep at most this many of the most frequent words.

        Raises
        ------
        TypeError
            If a sentence is a plain string or a token is not a str.
        ValueError
            If the corpus has no tokens, or ``min_count`` leaves no words.
        """
        if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
            raise ValueError(f"min_count must be a whole number >= 1; got {min_count!r}.")
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer)) or max_size < 1):
            raise ValueError(f"max_size must be None or a whole number >= 1; got {max_size!r}.")
        sentences = _check_sentences(sentences)
        counter: Counter = Counter()
        for s in sentences:
            counter.update(s)
        if not counter:
            raise ValueError(
                "the corpus is empty (no tokens in any sentence); pass sentences as tokenised, "
                "non-empty text."
            )
        if not all(isinstance(k, str) for k in counter):
            i, j, tok = _first_bad_token(sentences)
            raise TypeError(
                f"tokens of sentences must be str; sentence {i}, token {j} is {tok!r} "
                f"({type(tok).__name__}). Convert with str() or tokenise the text first."
            )
        n_tokens = sum(counter.values())
        # Counter preserves insertion order, and sorted() is stable: ties keep first-seen order.
        kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: -wc[1])
        if not kept:
            top = counter.most_common(1)[0]
            raise ValueError(
                f"min_count={min_count} left no words: the most frequent token {top[0]!r} "
                f"occurs {top[1]} times. Lower min_count or use a larger corpus."
            )
        if max_size is not None:
            kept = kept[: int(max_size)]
        words = [w for w, _ in kept]
        counts = np.fromiter((c for _, c in kept), dtype=np.int64, count=len(kept))
        return cls(words=words, counts=counts, n_tokens=n_tokens, n_types=len(counter), min_count=int(min_count))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def encode(self, sentences: Iterable[Sequence[str]]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Turn sentences into one flat id array and sentence offsets; unknown words are dropped.

        Parameters
        ----------
        sentences : iterable of list of str, length S

        Returns
        -------
        ids : numpy.ndarray of int32, shape (n,)
            Ids of the in-vocabulary tokens, sentence after sentence.
        offsets : numpy.ndarray of int64, shape (S + 1,)
            Sentence ``s`` is ``ids[offsets[s]:offsets[s + 1]]`` (possibly empty).
        """
        sentences = _check_sentences(sentences)
        get = self.index.get
        flat: list[int] = []
        lengths = np.zeros(len(sentences), dtype=np.int64)
        for k, s in enumerate(sentences):
            before = len(flat)
            flat.extend(i for i in map(get, s) if i is not None)
            lengths[k] = len(flat) - before
        offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return np.asarray(flat, dtype=np.int32), offsets

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids back to words."""
        if isinstance(ids, (str, bytes)):
            raise TypeError("ids must be a sequence of integer word ids, not a string.")
        arr = as_array(list(ids) if not isinstance(ids, np.ndarray) else ids, "ids")
        if arr.size == 0:
            return []
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be a 1-d sequence of integer word ids; got dtype {arr.dtype}, shape {arr.shape}.")
        bad = (arr < 0) | (arr >= len(self.words))
        if bad.any():
            raise ValueError(
                f"ids must be in [0, {len(self.words) - 1}] (the vocabulary has {len(self.words)} words); "
                f"got {int(arr[bad][0])}."
            )
        return [self.words[i] for i in arr.tolist()]
