"""WordPiece tokenisation by hand: BERT's pre-tokeniser and greedy longest-match-first.

A BERT-style model (all-MiniLM-L6-v2 among them) reads WordPiece tokens. Tokenising a text is
two steps:

1. :func:`basic_tokenize`, the *pre-tokeniser* of BERT's uncased models: drop control
   characters, put spaces around CJK ideographs, lower-case, strip accents (Unicode NFD, then
   drop the combining marks), split on whitespace and cut every punctuation character off as a
   word of its own;
2. :func:`wordpiece_split`, for each word: take the longest prefix that is in the vocabulary,
   then the longest vocabulary entry ``##...`` that continues it, and so on; a word with a piece
   that cannot be matched (or longer than ``max_chars_per_word`` characters) becomes ``[UNK]``.

:class:`WordPieceTokenizer` puts the two together with a vocabulary (``vocab.txt``, one token
per line, the line number is the id) and adds ``[CLS]`` / ``[SEP]``. On MiniLM's vocabulary it
gives exactly the ids of the model's own (Rust, Hugging Face ``tokenizers``) tokenizer on real
text (``tests/test_wordpiece.py``). One difference is documented: special-token strings written
inside the text (``"[MASK]"``) are split like any text, while Hugging Face keeps them whole.

Taught in: chapter 03.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any
from collections.abc import Mapping, Sequence

from embedcourse._validation import check_bool, check_int, check_text

__all__ = ["basic_tokenize", "wordpiece_split", "WordPieceTokenizer"]


def _is_punctuation(c: str) -> bool:
    """BERT's rule: every ASCII non-alphanumeric printable character, and Unicode category P*."""
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(c: str) -> bool:
    """CJK Unified Ideographs (and extensions), the characters BERT splits one by one."""
    cp = ord(c)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_control(c: str) -> bool:
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def basic_tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Split ``text`` into words the way BERT's uncased pre-tokeniser does.

    Parameters
    ----------
    text : str
    lowercase : bool
        Lower-case and strip accents (``"Café"`` -> ``"cafe"``), as uncased models such as
        MiniLM do. With ``False`` the text keeps its case and its accents.

    Returns
    -------
    list of str
        Words and single punctuation characters, e.g. ``"Don't stop!"`` ->
        ``["don", "'", "t", "stop", "!"]``.

    Taught in: chapter 03.
    """
    text = check_text(text, "text")
    lowercase = check_bool("lowercase", lowercase)
    out = []
    for c in text:
        if c == "\x00" or c == "\ufffd" or _is_control(c):
            continue                                      # clean: drop control characters
        if c.isspace():
            out.append(" ")
        elif _is_cjk(c):
            out.append(f" {c} ")                          # every ideograph is a word
        else:
            out.append(c)
    text = "".join(out)
    if lowercase:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")   # strip accents
    return "".join(f" {c} " if _is_punctuation(c) else c for c in text).split()


def _check_vocab(vocab: Any) -> Mapping[str, int]:
    if not isinstance(vocab, Mapping):
        raise TypeError(f"vocab must be a dict mapping each token to its id; got {type(vocab).__name__}.")
    if not vocab:
        raise ValueError("vocab is empty; pass the tokens of a WordPiece vocabulary (e.g. MiniLM's vocab.txt).")
    return vocab


def wordpiece_split(word: str, vocab: Mapping[str, int], *, unk_token: str = "[UNK]", prefix: str = "##",
                    max_chars_per_word: int = 100) -> list[str]:
    """Cut one word into WordPiece tokens, greedy longest match first.

    Parameters
    ----------
    word : str
        One pre-tokenised word (no spaces), e.g. ``"tokenisation"``.
    vocab : mapping str -> int
        The vocabulary; continuation pieces start with ``prefix``.
    unk_token : str
        Returned alone when the word cannot be covered by vocabulary pieces.
    prefix : str
        Marks a piece that continues a word (``"##"`` in BERT).
    max_chars_per_word : int
        Longer words are ``[UNK]`` without trying (100 in BERT).

    Returns
    -------
    list of str
        E.g. ``["token", "##isation"]``; ``[unk_token]`` if some part matches nothing.

    Taught in: chapter 03.
    """
    word = check_text(word, "word")
    if not word or any(c.isspace() for c in word):
        raise ValueError(f"word must be one non-empty word without spaces; got {word!r}.")
    vocab = _check_vocab(vocab)
    max_chars_per_word = check_int("max_chars_per_word", max_chars_per_word, 1)
    if len(word) > max_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = (prefix if start else "") + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:                                  # nothing matches: the whole word is unknown
            return [unk_token]
        pieces.append(piece)
        start = end
    return pieces


class WordPieceTokenizer:
    """BERT's uncased WordPiece tokenizer, written out: :func:`basic_tokenize` then :func:`wordpiece_split`.

    Parameters
    ----------
    vocab : mapping str -> int, or sequence of str
        Token -> id, or the tokens in id order (the lines of ``vocab.txt``).
    lowercase : bool
        Lower-case and strip accents (uncased models).
    max_chars_per_word : int
        Words longer than this become ``[UNK]``.

    Attributes
    ----------
    vocab : dict str -> int
    special : dict
        The ids of ``[CLS]``, ``[SEP]`` and ``[UNK]``.

    Examples
    --------
    >>> tok = WordPieceTokenizer.from_vocab_file(ec.data.locate("minilm", "vocab.txt"))  # doctest: +SKIP
    >>> tok.tokenize("Tokenisation!")                                                     # doctest: +SKIP
    ['token', '##isation', '!']

    Taught in: chapter 03.
    """

    def __init__(self, vocab: Mapping[str, int] | Sequence[str], *, lowercase: bool = True,
                 max_chars_per_word: int = 100) -> None:
        if isinstance(vocab, (str, bytes)):
            raise TypeError("vocab must be a dict token -> id or a list of tokens, not a str; "
                            "for a file use WordPieceTokenizer.from_vocab_file(path).")
        if not isinstance(vocab, Mapping):
            try:
                tokens = list(vocab)
            except TypeError:
                raise TypeError(f"vocab must be a dict token -> id or a list of tokens; got {type(vocab).__name__}.") from None
            if not all(isinstance(t, str) for t in tokens):
                raise TypeError("vocab must hold str tokens.")
            vocab = {t: i for i, t in enumerate(tokens)}
        self.vocab = dict(_check_vocab(vocab))
        missing = [t for t in ("[CLS]", "[SEP]", "[UNK]") if t not in self.vocab]
        if missing:
            raise ValueError(f"vocab lacks the special tokens {missing}; a BERT vocabulary has them.")
        self.lowercase = check_bool("lowercase", lowercase)
        self.max_chars_per_word = check_int("max_chars_per_word", max_chars_per_word, 1)
        self.special = {t: self.vocab[t] for t in ("[CLS]", "[SEP]", "[UNK]")}

    @classmethod
    def from_vocab_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> WordPieceTokenizer:
        """Read ``vocab.txt`` (one token per line; the line number is the id).

        Parameters
        ----------
        path : str or path-like
            For MiniLM: ``ec.data.locate("minilm", "vocab.txt")`` (hash-checked).
        **kwargs
            Passed to the constructor (``lowercase``, ``max_chars_per_word``).

        Returns
        -------
        WordPieceTokenizer

        Taught in: chapter 03.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path; got {type(path).__name__}.")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"path {str(path)!r} is not a file; pass the vocab.txt of a WordPiece model.")
        with open(path, encoding="utf-8") as fh:
            tokens = [line.rstrip("\n") for line in fh]
        return cls(tokens, **kwargs)

    def tokenize(self, text: str) -> list[str]:
        """The WordPiece tokens of ``text`` (without ``[CLS]`` / ``[SEP]``).

        Parameters
        ----------
        text : str

        Returns
        -------
        list of str

        Taught in: chapter 03.
        """
        return [piece for word in basic_tokenize(text, lowercase=self.lowercase)
                for piece in wordpiece_split(word, self.vocab, max_chars_per_word=self.max_chars_per_word)]

    def encode(self, text: str, *, add_special_tokens: bool = True) -> list[int]:
        """The token ids of ``text``, as the model reads them: ``[CLS] ... [SEP]``.

        Parameters
        ----------
        text : str
        add_special_tokens : bool
            Put ``[CLS]`` first and ``[SEP]`` last (what a tokenizer does by default).

        Returns
        -------
        list of int
            Equal to ``model.tokenizer(text)["input_ids"]`` for MiniLM (no truncation here).

        Taught in: chapter 03.
        """
        add_special_tokens = check_bool("add_special_tokens", add_special_tokens)
        ids = [self.vocab[t] for t in self.tokenize(text)]
        if add_special_tokens:
            ids = [self.special["[CLS]"], *ids, self.special["[SEP]"]]
        return ids
