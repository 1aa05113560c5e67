"""From raw text to the integer stream that word-embedding models train on.

The steps mirror gensim's ``Word2Vec.build_vocab`` and the original ``word2vec.c``:

1. :func:`tokenize` splits text into lower-cased word tokens with one regular expression.
2. :class:`Vocabulary` counts tokens, drops words seen fewer than ``min_count`` times, sorts the
   rest by frequency and turns sentences into one flat ``int32`` array plus sentence offsets.
3. :func:`subsample_probs` gives each word the probability of being *kept* during training
   (frequent words such as "the" are dropped most of the time).
4. :func:`negative_table` is the cumulative unigram^0.75 table negatives are drawn from.
5. :func:`context_pairs` lists the (centre, context) pairs of dynamic ("reduced") windows.

Taught in: chapter 02 (tokenize is reused in chapter 03).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from embedcourse._validation import as_array, check_counts, check_float, check_int, check_random_state

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

#: A token is a maximal run of letters and digits (any script). Everything else (spaces,
#: punctuation, apostrophes, hyphens, underscores) separates tokens, so "Trump's" gives
#: ["trump", "s"] and "tie-breaking" gives ["tie", "breaking"].
TOKEN_PATTERN = re.compile(r"[^\W_]+")

# A sentence ends at ., ! or ? followed by white space (a deliberately simple rule).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into word tokens: maximal runs of letters or digits.

    The rule is the regular expression ``[^\\W_]+`` (Unicode-aware): letters and digits of any
    script form tokens, every other character separates them. It is a simplified cousin of
    gensim's ``simple_preprocess`` (which also drops digits and very short or long tokens).

    Parameters
    ----------
    text : str
    lower : bool
        Lower-case the text first (the default, as for most word-vector training).

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Trump's tie-breaking vote, 2017!")
    ['trump', 's', 'tie', 'breaking', 'vote', '2017']

    Taught in: chapter 02.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str; got {type(text).__name__} (text must be one str).")
    if lower:
        text = text.lower()
    return TOKEN_PATTERN.findall(text)


def split_sentences(text: str) -> list[str]:
    """Split ``text`` after ``.``, ``!`` or ``?`` followed by white space (a simple rule).

    Taught in: chapter 02.
    """
    if not isinstance(text, str):
        raise TypeError(f"split_sentences expects a str; got {type(text).__name__} (text must be one str).")
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def sentences_from_texts(texts: Iterable[str], lower: bool = True, split: bool = True) -> list[list[str]]:
    """Tokenise documents into a list of token lists (one per sentence, or per document).

    Parameters
    ----------
    texts : iterable of str
        Documents.
    lower : bool
        Lower-case (see :func:`tokenize`).
    split : bool
        Split each document into sentences first (:func:`split_sentences`); windows never
        cross a sentence boundary during training.

    Returns
    -------
    list of list of str
        Empty sentences are dropped.

    Taught in: chapter 02.
    """
    if isinstance(texts, (str, bytes)) or texts is None:
        raise TypeError(
            f"texts must be a list of strings (one per document), not one {type(texts).__name__}; "
            f"wrap a single text: [text]."
        )
    out: list[list[str]] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts must be strings; item {i} is {type(text).__name__}.")
        parts = split_sentences(text) if split else [text]
        for part in parts:
            toks = tokenize(part, lower=lower)
            if toks:
                out.append(toks)
    return out


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
    counts: np.ndarray
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
    ) -> "Vocabulary":
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

    def encode(self, sentences: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
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


def _as_counts(counts: Any) -> np.ndarray:
    return check_counts(counts, "counts")


def _powered(counts: Any, power: Any) -> np.ndarray:
    """``counts ** power`` for finite ``power`` (negative powers favour rare words, as in gensim)."""
    power = check_float("power", power)
    p = _as_counts(counts) ** power
    if not np.isfinite(p).all() or not np.isfinite(p.sum()) or p.sum() == 0:
        raise ValueError(f"counts ** power overflows for power={power:g}; use a smaller |power|.")
    return p


def subsample_probs(counts: Any, t: float = 1e-3) -> np.ndarray:
    """Probability of *keeping* each occurrence of a word (frequent-word subsampling).

    gensim's formula (``Word2Vec.prepare_vocab``, the same as ``word2vec.c``): with
    ``f = count / total`` the word's relative frequency,

    ``p_keep = (sqrt(f / t) + 1) * t / f``, clipped to at most 1.

    Words with ``f`` below about ``2.6 t`` are always kept. (The 2013 paper states the
    discard probability ``1 - sqrt(t / f)``; the code uses this smoother variant.)

    Parameters
    ----------
    counts : array-like, shape (V,)
    t : float
        The ``sample`` threshold (gensim's default 1e-3). ``t = 0`` switches subsampling off.

    Returns
    -------
    numpy.ndarray of float64, shape (V,)

    Taught in: chapter 02.
    """
    c = _as_counts(counts)
    t = check_float("t", t, 0, None, hint=" (0 switches subsampling off)")
    if t == 0:
        return np.ones_like(c)
    threshold = t * c.sum()
    return np.minimum((np.sqrt(c / threshold) + 1.0) * threshold / c, 1.0)


def negative_distribution(counts: Any, power: float = 0.75) -> np.ndarray:
    """The noise distribution for negative sampling: ``count**power``, normalised.

    Returns
    -------
    numpy.ndarray of float64, shape (V,), sums to 1

    Taught in: chapter 02.
    """
    p = _powered(counts, power)
    return p / p.sum()


def negative_table(counts: Any, power: float = 0.75, domain: int = 2**31 - 1) -> np.ndarray:
    """Cumulative table of ``count**power`` scaled to ``[0, domain]`` (gensim's ``cum_table``).

    A negative is drawn by taking a uniform integer ``r`` in ``[0, table[-1])`` and returning
    ``searchsorted(table, r, side="right")``: word ``i`` owns the integers
    ``[table[i-1], table[i])``, a share proportional to ``count_i**power``.

    Returns
    -------
    numpy.ndarray of int64, shape (V,), non-decreasing, ``table[-1] == domain``

    Taught in: chapter 02.
    """
    p = _powered(counts, power)
    domain = check_int("domain", domain, 1, 2**62)
    return np.round(np.cumsum(p) / p.sum() * domain).astype(np.int64)


def draw_negatives(table: Any, size: int | tuple[int, ...], random_state: Any = 0) -> np.ndarray:
    """Draw word ids from a :func:`negative_table`.

    Returns
    -------
    numpy.ndarray of int64 with shape ``size``

    Taught in: chapter 02.
    """
    table = as_array(table, "table")
    if table.ndim != 1 or table.size == 0 or not np.issubdtype(table.dtype, np.integer) or table.dtype == bool:
        raise ValueError(
            f"table must be a non-empty 1-d integer array from negative_table; got dtype {table.dtype}, "
            f"shape {table.shape}."
        )
    if table[0] < 0 or table[-1] <= 0 or (np.diff(table) < 0).any():
        raise ValueError("table must be non-decreasing, start >= 0 and end > 0 (the output of negative_table).")
    sizes = size if isinstance(size, tuple) else (size,)
    for s_ in sizes:
        check_int("size", s_, 0, None, hint=" (or a tuple of them)")
    rng = check_random_state(random_state)
    r = rng.integers(0, table[-1], size=size)
    return np.searchsorted(table, r, side="right")


def context_pairs(
    ids: Any,
    offsets: Any,
    window: int = 5,
    *,
    dynamic: bool = True,
    random_state: Any = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) position pairs of word2vec's windows, vectorised.

    With ``dynamic=True`` each position ``i`` gets an effective window ``b_i`` drawn uniformly
    from ``1..window`` (gensim draws ``reduced = randint(0, window)`` and uses
    ``window - reduced``), so a neighbour at distance ``d`` is used with probability
    ``(window - d + 1) / window``: near words count more. Windows stop at sentence ends.

    Parameters
    ----------
    ids : array-like of int, shape (n,)
    offsets : array-like of int, shape (S + 1,)
        Sentence boundaries as returned by :meth:`Vocabulary.encode`.
    window : int
    dynamic : bool
    random_state : int or Generator

    Returns
    -------
    centre, context : numpy.ndarray of int64, shape (P,)
        Token *positions* (index into ``ids``); ``ids[centre]`` are the centre words.

    Taught in: chapter 02.
    """
    ids = as_array(ids, "ids")
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-d array of token ids; got shape {ids.shape}.")
    offsets = as_array(offsets, "offsets")
    if offsets.ndim != 1 or offsets.size == 0 or not (np.issubdtype(offsets.dtype, np.integer) or offsets.size == 0):
        raise ValueError(
            f"offsets must be a non-empty 1-d integer array (sentence boundaries from Vocabulary.encode); "
            f"got dtype {offsets.dtype}, shape {offsets.shape}."
        )
    offsets = offsets.astype(np.int64)
    window = check_int("window", window, 1, None)
    n = ids.shape[0]
    if offsets[0] != 0 or offsets[-1] != n or (np.diff(offsets) < 0).any():
        raise ValueError("offsets must start at 0, end at len(ids) and be non-decreasing.")
    sent = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    rng = check_random_state(random_state)
    eff = window - rng.integers(0, window, size=n) if dynamic else np.full(n, window)
    centres, contexts = [], []
    for d in range(1, window + 1):
        i = np.arange(n - d)
        same = sent[i] == sent[i + d]
        fwd = same & (eff[i] >= d)  # centre i sees i + d
        bwd = same & (eff[i + d] >= d)  # centre i + d sees i
        centres += [i[fwd], i[bwd] + d]
        contexts += [i[fwd] + d, i[bwd]]
    c = np.concatenate(centres) if centres else np.zeros(0, np.int64)
    x = np.concatenate(contexts) if contexts else np.zeros(0, np.int64)
    order = np.lexsort((x, c))
    return c[order], x[order]
