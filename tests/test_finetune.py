"""Tests of embedcourse.sentence.finetune: the chapter 08 recipe (frozen lower layers, tuned top)."""

from __future__ import annotations

import numpy as np
import pytest

import embedcourse as ec
from conftest import oracle

S = ec.sentence
DOCS = ["The king and the queen lived in a castle.", "A man and a woman walked to the city.",
        "The cat sat on the mat near the dog.", "Stocks fell as the market closed lower.",
        "The queen spoke to the people of the city.", "The dog and the cat slept."]


@pytest.fixture(scope="module")
def minilm():
    return ec.data.load_minilm()


def test_split_is_chapter_03s_sample_and_disjoint():
    train, test = S.news_finetuning_split()
    assert (len(train), len(test)) == (2519, 1000)
    assert list(test.title) == list(ec.data.load_news_sample(1000, random_state=0).title)
    assert not set(train.title) & set(test.title)
    with pytest.raises(ValueError, match="n_test"):
        S.news_finetuning_split(0)
    with pytest.raises(ValueError, match="random_state"):
        S.news_finetuning_split(10, random_state=-1)


@pytest.mark.slow
def test_layer_states_shapes_and_bad_input(minilm):
    st = S.layer_states(minilm, DOCS[:3], layer=2, cache=False)
    assert len(st) == 3 and st.flat.dtype == np.float16 and st.flat.shape[1] == 384 and st.layer == 2
    h, mask = st.batch([2, 0])
    assert h.shape[0] == 2 and mask.shape == h.shape[:2] and mask.sum(1).tolist() == np.diff(st.offsets)[[2, 0]].tolist()
    with pytest.raises(ValueError, match="layer"):
        S.layer_states(minilm, DOCS, layer=6)
    with pytest.raises(TypeError, match="texts"):
        S.layer_states(minilm, "a bare string")
    with pytest.raises(TypeError, match="model"):
        S.layer_states(object(), DOCS)
    with pytest.raises(ValueError, match="idx"):
        st.batch([3])


@pytest.mark.slow
def test_untrained_top_equals_sentence_transformers(minilm):
    """Oracle: with a learning rate too small to move the weights, encode() is model.encode()."""
    oracle("sentence_transformers")
    ft = S.TopLayerFinetuner(minilm, lr=1e-12, batch_size=2, progress=False, cache=False).fit(DOCS[:2], DOCS[2:4])
    ours = ft.encode(DOCS)
    theirs = minilm.encode(DOCS, normalize_embeddings=True)
    assert np.abs(ours - theirs).max() < 1e-3                       # float16 states: about 1e-4
    assert np.allclose(ft.to_sentence_transformer().encode(DOCS, normalize_embeddings=True), theirs, atol=1e-3)
    assert np.abs(ft.encode(DOCS, base=True) - theirs).max() < 1e-3              # the "before" path
    assert np.abs(ft.encode(DOCS[:2] + DOCS[2:4]) - ours[:4]).max() < 1e-3       # fit's states reused


@pytest.mark.slow
def test_fit_is_deterministic_cached_and_matches_its_sentence_transformer(minilm, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path))
    kw = dict(batch_size=2, lr=1e-3, progress=False)
    a = S.TopLayerFinetuner(minilm, **kw).fit(DOCS[:4], DOCS[2:6], negatives=DOCS[:4][::-1])
    b = S.TopLayerFinetuner(minilm, cache=False, **kw).fit(DOCS[:4], DOCS[2:6], negatives=DOCS[:4][::-1])
    c = S.TopLayerFinetuner(minilm, **kw).fit(DOCS[:4], DOCS[2:6], negatives=DOCS[:4][::-1])
    assert not a.from_cache_ and c.from_cache_ and a.loss_history_.shape == (2,)
    np.testing.assert_allclose(a.loss_history_, b.loss_history_, rtol=1e-6)
    np.testing.assert_allclose(a.encode(DOCS), b.encode(DOCS), atol=1e-6)
    np.testing.assert_allclose(a.encode(DOCS), c.encode(DOCS), atol=1e-6)
    base = minilm.encode(DOCS, normalize_embeddings=True)
    assert np.abs(a.encode(DOCS) - base).max() > 1e-3                       # it did train
    tuned_st = a.to_sentence_transformer().encode(DOCS, normalize_embeddings=True)
    assert np.abs(tuned_st - a.encode(DOCS)).max() < 1e-3
    assert np.abs(minilm.encode(DOCS, normalize_embeddings=True) - base).max() == 0   # base model untouched


@pytest.mark.slow
def test_bad_hyperparameters(minilm):
    for kw, name in [({"n_layers": 7}, "n_layers"), ({"lr": 0.0}, "lr"), ({"epochs": 0}, "epochs"),
                     ({"batch_size": 1}, "batch_size"), ({"scale": -1.0}, "scale")]:
        with pytest.raises(ValueError, match=name):
            S.TopLayerFinetuner(minilm, progress=False, cache=False, **kw).fit(DOCS[:2], DOCS[2:4])
    with pytest.raises(ValueError, match="y has"):
        S.TopLayerFinetuner(minilm, cache=False).fit(DOCS[:3], DOCS[:2])
    with pytest.raises(ValueError, match="negatives"):
        S.TopLayerFinetuner(minilm, cache=False).fit(DOCS[:2], DOCS[2:4], negatives=DOCS[:1])
    with pytest.raises(ValueError, match="not fitted"):
        S.TopLayerFinetuner(minilm).encode(DOCS)
    with pytest.raises(ValueError, match="n_train"):
        S.finetuned_news_minilm(n_train=1)


@pytest.mark.slow
def test_quality_floor_on_headline_retrieval():
    """Chapter 08's claim: the tuned model beats the base on the 1,000 held-out queries."""
    ft = S.finetuned_news_minilm(progress=False)
    _, test = S.news_finetuning_split()
    rr = {}
    for name, encode in [("base", lambda t: ec.data.load_minilm().encode(t, normalize_embeddings=True)),
                         ("tuned", ft.encode)]:
        Q, X = encode(list(test.title)), encode(list(test.lead))
        rr[name] = ec.metrics.mrr(ec.metrics.ranked_ids_from_scores(Q @ X.T), np.arange(len(test)), per_query=True)
    cmp = ec.metrics.paired_bootstrap(rr["tuned"], rr["base"], random_state=0)
    assert rr["base"].mean() > 0.8, rr["base"].mean()                 # 0.832 measured
    assert cmp.verdict == "significantly better" and cmp.diff > 0.005, cmp    # +0.010 [+0.003, +0.016] measured
