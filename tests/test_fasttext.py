"""Tests for embedcourse.models.fasttext (subwords) and embedcourse.models.tables (hashing trick).

Oracles: gensim's compute_ngrams, compute_ngrams_bytes, ft_hash_bytes and ft_ngram_hashes on
many words (ASCII, accented, Greek, CJK, emoji), and the vector gensim's FastText returns for an
out-of-vocabulary word and for a known word.
"""

import numpy as np
import pytest

from embedcourse.models import fasttext as ft
from embedcourse.models import tables
from embedcourse.text import tokenize

WORDS = [
    "where", "learning", "machin", "a", "", "naïve", "café", "Ünïcödé", "straße", "αβγδ",
    "日本語テキスト", "emoji😀ok", "x" * 30, "don't", "<tag>", "Ã©",
]


@pytest.fixture(scope="module")
def lee_sentences():
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf8") as fh:
        return [tokenize(line) for line in fh if line.strip()]


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


# --- hashing trick (embedcourse.models.tables) ---------------------------------------------


def test_hash_bucket_is_stable_seeded_and_in_range():
    keys = [f"user_{i}" for i in range(1000)]
    a = tables.hash_bucket(keys, 97, seed=0)
    assert a.dtype == np.int64 and a.min() >= 0 and a.max() < 97
    assert np.array_equal(a, tables.hash_bucket(keys, 97, seed=0))
    assert not np.array_equal(a, tables.hash_bucket(keys, 97, seed=1))
    # fixed values: the same on every machine and process (Python's hash() is salted)
    assert int(tables.hash_bucket("user_0", 1_000_003)) == int(tables.hash_bucket(["user_0"], 1_000_003)[0])
    ints = tables.hash_bucket(np.arange(10_000), 100)
    assert np.bincount(ints, minlength=100).min() > 60  # roughly uniform: 100 per bucket expected
    with pytest.raises(ValueError, match=r"n_buckets must be an int in \[1, 2\*\*63 - 1\]; got 0"):
        tables.hash_bucket(["a"], 0)
    with pytest.raises(TypeError, match="seed must be an int .*; got 1.5"):
        tables.hash_bucket(["a"], 10, seed=1.5)
    with pytest.raises(TypeError, match="key 1 is float"):
        tables.hash_bucket(np.array(["a", 1.5], dtype=object), 10)


@pytest.mark.parametrize("n_keys,n_buckets", [(10_000, 100_000), (100_000, 100_000), (50_000, 10_000)])
def test_collision_rate_matches_theory(n_keys, n_buckets):
    measured = tables.collision_rate(n_keys, n_buckets, seed=0)
    expected = tables.expected_collision_rate(n_keys, n_buckets)
    # observed: 0.0962 vs 0.0952 (10k keys, 100k buckets), 0.6340 vs 0.6321, 0.9929 vs 0.9933
    assert measured == pytest.approx(expected, rel=0.03), (measured, expected)


def test_bag_inputs_feed_embedding_bag():
    import torch

    bags = [[1, 2], [0], [3, 1, 2]]
    flat, offsets = tables.bag_inputs(bags)
    assert flat.tolist() == [1, 2, 0, 3, 1, 2] and offsets.tolist() == [0, 2, 3]
    torch.manual_seed(0)
    bag = torch.nn.EmbeddingBag(4, 5, mode="mean")
    out = bag(torch.as_tensor(flat), torch.as_tensor(offsets)).detach().numpy()
    table = bag.weight.detach().numpy()
    np.testing.assert_allclose(out, np.stack([table[b].mean(0) for b in bags]), rtol=1e-6)
    with pytest.raises(ValueError, match="bags is empty"):
        tables.bag_inputs([])


def test_table_bytes():
    assert tables.table_bytes(1_000_000_000, 64, "float32") == 256_000_000_000
    assert tables.table_bytes(10, 8, np.float16) == 160
    assert tables.format_bytes(256_000_000_000) == "256.0 GB"
    with pytest.raises(ValueError, match="rows and dim must be >= 0"):
        tables.table_bytes(-1, 3)
