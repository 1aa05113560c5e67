"""Tests for embedcourse.sentence.wordpiece: BERT's pre-tokeniser and greedy longest-match-first.

Oracle: the model's own tokenizer (Hugging Face ``tokenizers``, Rust) loaded from the installed
MiniLM files gives exactly the same ids on every sentence of the Lee corpora and on hard cases
(accents, CJK, emoji, control characters, over-long words).
"""

from __future__ import annotations

import re

import pytest

from conftest import oracle

from embedcourse.sentence import WordPieceTokenizer, basic_tokenize, wordpiece_split

VOCAB = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "aff", "a",
                                     "##a", "!", "token", "##isation", "##s"])}

HARD = ["Café naïve résumé", "Ｈｅｌｌｏ　世界！", "emoji 😀 here", "tab\tnew\nline\r", "x" * 120,
        "don't—stop…", "Zürich's «quote»", "İstanbul", "\u200bzero width", "ß straße", "Ωμέγα",
        "العربية", "a\x00b\x07c", "   ", "", "U.S.A. (2017): $3.5bn; 50% [sic]"]


def test_basic_tokenize_lowercases_strips_accents_and_splits_punctuation():
    assert basic_tokenize("Don't stop, Café!") == ["don", "'", "t", "stop", ",", "cafe", "!"]
    assert basic_tokenize("Café", lowercase=False) == ["Café"]
    assert basic_tokenize("北京 is big") == ["北", "京", "is", "big"]
    assert basic_tokenize("a\x00b\tc") == ["ab", "c"]
    assert basic_tokenize("") == []


def test_wordpiece_split_greedy_longest_match_first():
    assert wordpiece_split("unaffable", VOCAB) == ["un", "##aff", "##able"]
    assert wordpiece_split("tokenisations", VOCAB) == ["token", "##isation", "##s"]
    assert wordpiece_split("aaa", VOCAB) == ["a", "##a", "##a"]
    assert wordpiece_split("unx", VOCAB) == ["[UNK]"]                     # one piece fails: the whole word
    assert wordpiece_split("a" * 101, VOCAB) == ["[UNK]"]                 # longer than max_chars_per_word
    assert wordpiece_split("aa", VOCAB, max_chars_per_word=1) == ["[UNK]"]


def test_tokenizer_encode_adds_special_tokens():
    tok = WordPieceTokenizer(list(VOCAB))
    assert tok.tokenize("Unaffable!") == ["un", "##aff", "##able", "!"]
    assert tok.encode("Unaffable!") == [2, 4, 5, 6, 10, 3]
    assert tok.encode("Unaffable!", add_special_tokens=False) == [4, 5, 6, 10]
    assert WordPieceTokenizer(VOCAB).encode("a") == tok.encode("a")


def test_deterministic():
    tok = WordPieceTokenizer(VOCAB)
    assert tok.encode("Unaffable tokenisations") == tok.encode("Unaffable tokenisations")


def test_bad_input():
    with pytest.raises(TypeError, match="text must be a str"):
        basic_tokenize(["a"])
    with pytest.raises(TypeError, match="lowercase"):
        basic_tokenize("a", lowercase="yes")
    with pytest.raises(ValueError, match="word must be one non-empty word"):
        wordpiece_split("two words", VOCAB)
    with pytest.raises(TypeError, match="vocab must be a dict"):
        wordpiece_split("a", ["a"])
    with pytest.raises(ValueError, match="vocab is empty"):
        wordpiece_split("a", {})
    with pytest.raises(ValueError, match="max_chars_per_word"):
        wordpiece_split("a", VOCAB, max_chars_per_word=0)
    with pytest.raises(ValueError, match="special tokens"):
        WordPieceTokenizer(["a", "b"])
    with pytest.raises(TypeError, match="vocab must be a dict"):
        WordPieceTokenizer("vocab.txt")
    with pytest.raises(FileNotFoundError, match="path"):
        WordPieceTokenizer.from_vocab_file("/no/such/vocab.txt")
    with pytest.raises(TypeError, match="add_special_tokens"):
        WordPieceTokenizer(VOCAB).encode("a", add_special_tokens=1)


@pytest.fixture(scope="module")
def minilm_tokenizers():
    import embedcourse as ec

    transformers = oracle("transformers")
    path = ec.data.locate("minilm", "vocab.txt")
    ours = WordPieceTokenizer.from_vocab_file(path)
    theirs = transformers.AutoTokenizer.from_pretrained(str(path.parent), local_files_only=True)
    return ours, theirs


@pytest.mark.slow
def test_oracle_same_ids_as_the_real_tokenizer_on_real_sentences(minilm_tokenizers, lee_texts):
    ours, theirs = minilm_tokenizers
    sentences = [s for d in lee_texts for s in re.split(r"(?<=[.!?])\s+", d) if s.strip()]
    assert len(sentences) > 2000
    ref = theirs(sentences)["input_ids"]
    mismatches = [s for s, r in zip(sentences, ref, strict=True) if ours.encode(s) != r]
    assert not mismatches, mismatches[:3]


@pytest.mark.slow
@pytest.mark.parametrize("text", HARD)
def test_oracle_hard_cases(minilm_tokenizers, text):
    ours, theirs = minilm_tokenizers
    assert ours.encode(text) == theirs(text)["input_ids"], theirs.tokenize(text)
