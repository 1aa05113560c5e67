"""Tests for embedcourse.text: tokeniser (text.tokenization), vocabulary (text.vocabulary), subsampling,
noise table and windows (text.sampling).

Oracle: gensim's Word2Vec.build_vocab on the Lee background corpus (same vocabulary order and
counts, same keep probabilities, same cumulative noise table).
"""


import numpy as np
import pytest

from embedcourse.text import (
    Vocabulary,
    context_pairs,
    draw_negatives,
    negative_distribution,
    negative_table,
    sentences_from_texts,
    split_sentences,
    subsample_probs,
    tokenize,
)


def test_tokenize_rules():
    assert tokenize("Trump's tie-breaking vote, 2017!") == ["trump", "s", "tie", "breaking", "vote", "2017"]
    assert tokenize("Über café_au_lait", lower=False) == ["Über", "café", "au", "lait"]
    assert tokenize("...  !") == []


def test_tokenize_rejects_non_string():
    with pytest.raises(TypeError, match="tokenize expects a str; got list"):
        tokenize(["a", "b"])


def test_sentences_from_texts_splits_and_drops_empty():
    out = sentences_from_texts(["One two. Three!  Four?", "..."])
    assert out == [["one", "two"], ["three"], ["four"]]
    assert split_sentences("A b. C d") == ["A b.", "C d"]
    with pytest.raises(TypeError, match="item 1 is int"):
        sentences_from_texts(["ok", 3])


def test_vocabulary_counts_order_and_encode():
    sents = [["b", "a", "a"], ["c", "a", "b", "d"]]
    v = Vocabulary.build(sents, min_count=2)
    assert v.words == ["a", "b"]  # a:3, b:2; c and d dropped
    assert v.counts.tolist() == [3, 2]
    assert v.n_tokens == 7 and v.n_types == 4
    ids, offsets = v.encode(sents + [[]])
    assert ids.dtype == np.int32 and ids.tolist() == [1, 0, 0, 0, 1]
    assert offsets.tolist() == [0, 3, 5, 5]
    assert v.decode(ids[:2]) == ["b", "a"]
    assert len(Vocabulary.build(sents, min_count=1, max_size=3)) == 3
    # ties keep first-seen order
    assert Vocabulary.build([["x", "y", "z"]], min_count=1).words == ["x", "y", "z"]


def test_vocabulary_errors():
    with pytest.raises(ValueError, match="corpus is empty"):
        Vocabulary.build([[], []])
    with pytest.raises(ValueError, match="min_count=5 left no words.*'a' occurs 2 times"):
        Vocabulary.build([["a", "a", "b"]], min_count=5)
    with pytest.raises(TypeError, match="sentence 1, token 2 is 7"):
        Vocabulary.build([["a"], ["b", "c", 7]], min_count=1)
    with pytest.raises(TypeError, match="sentence 0 is a str"):
        Vocabulary.build(["the cat sat"], min_count=1)
    with pytest.raises(TypeError, match="not one string"):
        Vocabulary.build("the cat sat", min_count=1)
    with pytest.raises(ValueError, match="min_count must be a whole number"):
        Vocabulary.build([["a"]], min_count=0)


def test_vocabulary_matches_gensim(lee_sentences):
    from gensim.models import Word2Vec as GensimWord2Vec

    g = GensimWord2Vec(min_count=5, vector_size=10, sample=1e-3)
    g.build_vocab(lee_sentences)
    v = Vocabulary.build(lee_sentences, min_count=5)
    # same words, same counts, both sorted by decreasing count (gensim orders ties with an
    # unstable argsort, we keep first-seen order, so compare position by position on counts)
    assert set(v.words) == set(g.wv.index_to_key)
    assert v.counts.tolist() == [g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key]
    assert v.counts.tolist() == [g.wv.get_vecattr(w, "count") for w in v.words]
    # keep probabilities: gensim stores them as uint32 fractions of 2**32 - 1
    gensim_keep = np.array([g.wv.get_vecattr(w, "sample_int") for w in v.words]) / (2**32 - 1)
    np.testing.assert_allclose(subsample_probs(v.counts, 1e-3), gensim_keep, atol=1e-8)
    # the cumulative noise table (domain 2**31 - 1); it depends on counts only
    assert np.abs(negative_table(v.counts) - g.cum_table.astype(np.int64)).max() <= 1


def test_subsample_formula_and_errors():
    counts = np.array([1000, 10, 1])
    t = 1e-3
    f = counts / counts.sum()
    expected = np.minimum((np.sqrt(f / t) + 1) * t / f, 1)
    np.testing.assert_allclose(subsample_probs(counts, t), expected)
    assert subsample_probs(counts, 0).tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="positive numbers"):
        subsample_probs([3, 0, 1])
    with pytest.raises(ValueError, match="non-empty 1-d"):
        negative_table([])


def test_negative_sampling_follows_unigram_075(lee_sentences):
    v = Vocabulary.build(lee_sentences, min_count=5)
    p = negative_distribution(v.counts)
    np.testing.assert_allclose(p, v.counts**0.75 / (v.counts**0.75).sum())
    draws = draw_negatives(negative_table(v.counts), 1_000_000, random_state=0)
    freq = np.bincount(draws, minlength=len(v)) / draws.size
    # the 20 most frequent words: empirical frequency within 5% of the target
    np.testing.assert_allclose(freq[:20], p[:20], rtol=0.05)
    assert np.array_equal(draws, draw_negatives(negative_table(v.counts), 1_000_000, random_state=0))


def test_context_pairs_static_equals_brute_force():
    ids = np.arange(7, dtype=np.int32)
    offsets = np.array([0, 4, 4, 7])
    c, x = context_pairs(ids, offsets, window=2, dynamic=False)
    brute = sorted(
        (i, j)
        for s in range(3)
        for i in range(offsets[s], offsets[s + 1])
        for j in range(offsets[s], offsets[s + 1])
        if i != j and abs(i - j) <= 2
    )
    assert list(zip(c.tolist(), x.tolist(), strict=True)) == brute


def test_context_pairs_dynamic_distance_distribution():
    n, window = 50_000, 5
    c, x = context_pairs(np.zeros(n, np.int32), np.array([0, n]), window=window, random_state=1)
    dist = np.abs(c - x)
    share = np.bincount(dist, minlength=window + 1)[1:] / (2 * n)
    # a neighbour at distance d is used with probability (window - d + 1) / window
    np.testing.assert_allclose(share, (window - np.arange(1, window + 1) + 1) / window, atol=0.01)
    with pytest.raises(ValueError, match="offsets must start at 0"):
        context_pairs(np.zeros(3), np.array([0, 2]), window=2)


def test_modules_split_by_concept_public_names_unchanged():
    import embedcourse as ec
    from embedcourse.text import sampling, tokenization, vocabulary

    assert ec.text.tokenize is tokenization.tokenize and ec.text.Vocabulary is vocabulary.Vocabulary
    assert ec.text.context_pairs is sampling.context_pairs
    assert ec.text.__all__ == [*tokenization.__all__, *vocabulary.__all__, *sampling.__all__]
    assert set(ec.text.__all__) == {
        "TOKEN_PATTERN", "tokenize", "split_sentences", "sentences_from_texts", "Vocabulary",
        "subsample_probs", "negative_distribution", "negative_table", "draw_negatives", "context_pairs",
    }
