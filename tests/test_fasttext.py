"""Tests for embedcourse.models.fasttext (subwords); the hashing trick is in tests/test_features.py.

Oracles: gensim's compute_ngrams, compute_ngrams_bytes, ft_hash_bytes and ft_ngram_hashes on
many words (ASCII, accented, Greek, CJK, emoji), and the vector gensim's FastText returns for an
out-of-vocabulary word and for a known word.
"""

import numpy as np
import pytest

from embedcourse.models import fasttext as ft

WORDS = [
    "where", "learning", "machin", "a", "", "naïve", "café", "Ünïcödé", "straße", "αβγδ",
    "日本語テキスト", "emoji😀ok", "x" * 30, "don't", "<tag>", "Ã©",
]


@pytest.mark.parametrize("minn,maxn", [(3, 6), (1, 3), (2, 5)])
def test_ngrams_and_hashes_match_gensim(lee_sentences, minn, maxn):
    from gensim.models.fasttext import ft_ngram_hashes
    from gensim.models.fasttext_inner import compute_ngrams, compute_ngrams_bytes, ft_hash_bytes

    words = WORDS + sorted({w for s in lee_sentences[:40] for w in s})
    for w in words:
        assert ft.char_ngrams(w, minn, maxn) == compute_ngrams(w, minn, maxn), w
        grams = ft.char_ngrams_bytes(w, minn, maxn)
        assert grams == compute_ngrams_bytes(w, minn, maxn), w
        assert [ft.ft_hash(g) for g in grams] == [ft_hash_bytes(g) for g in grams], w
        assert ft.ngram_buckets(w, minn, maxn, 2_000_000).tolist() == ft_ngram_hashes(w, minn, maxn, 2_000_000), w


def test_hash_sign_extension_matters():
    # bytes >= 0x80 are XORed as negative int8 (the reference implementation's quirk)
    from gensim.models.fasttext_inner import ft_hash_bytes

    assert ft.ft_hash("é") == ft_hash_bytes("é".encode())
    h = 2166136261
    for byte in "é".encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF  # unsigned XOR: a different hash
    assert ft.ft_hash("é") != h


def test_oov_and_known_vectors_equal_gensim(lee_sentences):
    from gensim.models import FastText

    model = FastText(lee_sentences, vector_size=16, min_count=3, epochs=1, bucket=5000, workers=1, seed=0)
    wv = model.wv
    for word in ["machin", "learnin", "governmnet", "australiaa", "zzqx", "ab"]:
        assert word not in wv.key_to_index
        np.testing.assert_allclose(ft.oov_vector(word, wv.vectors_ngrams), wv[word], rtol=1e-5, atol=1e-7)
    for word in ["government", "police", "the"]:
        i = wv.key_to_index[word]
        np.testing.assert_allclose(
            ft.word_vector(wv.vectors_vocab[i], word, wv.vectors_ngrams), wv[word], rtol=1e-5, atol=1e-7
        )


def test_fasttext_errors():
    with pytest.raises(TypeError, match="word must be a str; got int"):
        ft.char_ngrams(3)
    with pytest.raises(ValueError, match="need 1 <= minn <= maxn"):
        ft.char_ngrams("word", 4, 3)
    with pytest.raises(ValueError, match=r"shape \(bucket, d\)"):
        ft.oov_vector("word", np.zeros(5))
    with pytest.raises(TypeError, match=r"minn must be an int in \[1, 100\]; got 3.0"):
        ft.char_ngrams("word", 3.0, 6)
    with pytest.raises(ValueError, match=r"bucket must be an int in \[1, 2\*\*32\]; got 0"):
        ft.ngram_buckets("word", bucket=0)
    with pytest.raises(ValueError, match=r"word_vec must have shape \(d,\) = \(3,\)"):
        ft.word_vector(np.zeros(4), "word", np.ones((10, 3)))
    assert ft.oov_vector("", np.ones((10, 3)), minn=5, maxn=6).tolist() == [0.0, 0.0, 0.0]
