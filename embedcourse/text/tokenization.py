"""Tokenisation: from raw text to lower-cased word tokens and sentences.

:func:`tokenize` splits text into word tokens with one regular expression; :func:`split_sentences`
splits a document into sentences with a deliberately simple rule; :func:`sentences_from_texts`
does both for a list of documents, giving the tokenised corpus every word-embedding model
trains on (see :mod:`embedcourse.text.vocabulary` for the next step).

Taught in: chapter 02 (tokenize is reused in chapter 03).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TOKEN_PATTERN", "tokenize", "split_sentences", "sentences_from_texts"]

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
