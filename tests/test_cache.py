"""Tests for embedcourse.cache (the on-disk array cache) and embedcourse.sentence.cached_encode.

The cache is base layer: importing it must stay cheap (numpy and the standard library only).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from embedcourse.cache import cache_array, cache_dir, content_hash


class FakeModel:
    """A tiny encoder with the sentence-transformers ``encode`` signature."""

    def __init__(self):
        self.calls = 0

    def get_sentence_embedding_dimension(self):
        return 4

    def encode(self, texts, batch_size=32, normalize_embeddings=False, convert_to_numpy=True,
               show_progress_bar=False):
        self.calls += 1
        out = np.array([[len(t), t.count("a"), t.count(" "), 1.0] for t in texts], dtype=np.float64)
        if normalize_embeddings:
            out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


@pytest.fixture
def cache_in_tmp(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_import_is_cheap():
    code = (
        "import sys, embedcourse.cache; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'embedcourse', 'pandas', 'scipy', 'sklearn', 'torch', 'plotly', 'numba', 'gensim'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "embedcourse,embedcourse.cache", out  # the base layer imports no subpackage


def test_cache_dir_default_env_and_off(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here" and (tmp_path / "here").is_dir()
    for off in ("off", "0", "false", "NONE"):
        monkeypatch.setenv("EMBEDCOURSE_CACHE", off)
        assert cache_dir() is None


def test_cache_array_round_trip(cache_in_tmp):
    calls = []

    def compute():
        calls.append(1)
        return np.arange(6, dtype=np.float32).reshape(2, 3)

    key = content_hash("test", 1)
    first = cache_array(key, compute)
    second = cache_array(key, compute)
    assert len(calls) == 1
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.float32
    assert (cache_in_tmp / "arrays" / f"{key}.npy").is_file()
    cache_array(content_hash("test", 2), compute)
    assert len(calls) == 2  # a different key is recomputed


def test_cache_recovers_from_a_truncated_file(cache_in_tmp):
    key = content_hash("truncated")
    cache_array(key, lambda: np.ones(3))
    path = cache_in_tmp / "arrays" / f"{key}.npy"
    path.write_bytes(path.read_bytes()[:10])
    np.testing.assert_array_equal(cache_array(key, lambda: np.zeros(3)), np.zeros(3))


def test_cache_off(monkeypatch):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", "off")
    assert cache_dir() is None
    calls = []
    for _ in range(2):
        cache_array("k", lambda: calls.append(1) or np.zeros(2))
    assert len(calls) == 2


def test_cache_array_rejects_bad_arguments(cache_in_tmp):
    with pytest.raises(TypeError, match="key must be a non-empty str"):
        cache_array("", lambda: np.zeros(2))
    with pytest.raises(TypeError, match="compute must be a function"):
        cache_array("k", np.zeros(2))
    with pytest.raises(ValueError, match="namespace must be a folder name"):
        cache_array("k", lambda: np.zeros(2), namespace="../elsewhere")


def test_content_hash_separates_inputs():
    assert content_hash(["ab", "c"]) != content_hash(["a", "bc"])
    assert content_hash(np.zeros(3, np.float32)) != content_hash(np.zeros(3, np.float64))
    assert content_hash("x", {"k": 1}) == content_hash("x", {"k": 1})
    with pytest.raises(TypeError, match="cannot hash a object part"):
        content_hash(object())


def test_content_hash_is_stable_across_processes():
    # the same digest in a fresh interpreter: nothing depends on id(), hash seeds or dict order
    parts = 'content_hash("encode-v1", "m", True, ["a cat", "a dog"], {"b": 2, "a": 1}, np.arange(3))'
    code = f"import numpy as np; from embedcourse.cache import content_hash; print({parts})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "123"}).stdout.strip()
    assert out == content_hash("encode-v1", "m", True, ["a cat", "a dog"], {"a": 1, "b": 2}, np.arange(3))


# --------------------------------------------------------------------------------------------
# cached_encode: a corpus encoded once, then read from the cache

def test_cached_encode_with_a_fake_model(cache_in_tmp):
    from embedcourse.sentence import cached_encode

    model = FakeModel()
    texts = ["a cat", "banana bread", "the end"]
    first = cached_encode(model, texts)
    second = cached_encode(model, texts)
    assert model.calls == 1
    assert first.shape == (3, 4) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    assert len(list((cache_in_tmp / "encoded").glob("*.npy"))) == 1
    cached_encode(model, texts + ["one more"])
    assert model.calls == 2
    raw = cached_encode(model, texts, normalize=False)
    assert model.calls == 3 and raw[0, 0] == 5.0  # len("a cat"), unnormalised
    cached_encode(model, texts, cache=False)
    assert model.calls == 4  # cache=False always encodes


def test_cached_encode_rejects_bad_input(cache_in_tmp):
    from embedcourse.sentence import cached_encode

    model = FakeModel()
    with pytest.raises(ValueError, match="texts is empty"):
        cached_encode(model, [])
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        cached_encode(model, ["fine", 3])
    with pytest.raises(TypeError, match="texts must be a list of strings"):
        cached_encode(model, "one text")
    with pytest.raises(ValueError, match=r"batch_size must be an int >= 1"):
        cached_encode(model, ["fine"], batch_size=0)
    with pytest.raises(TypeError, match="normalize must be True or False"):
        cached_encode(model, ["fine"], normalize="yes")
    assert model.calls == 0


@pytest.mark.slow
def test_cached_encode_matches_minilm(cache_in_tmp):
    from embedcourse.data import load_minilm
    from embedcourse.sentence import cached_encode

    model = load_minilm()
    sentences = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell."]
    emb = model.encode(sentences, normalize_embeddings=True)
    cached = cached_encode(model, sentences, model_name="all-MiniLM-L6-v2")
    again = cached_encode(model, sentences, model_name="all-MiniLM-L6-v2")
    np.testing.assert_array_equal(cached, again)
    np.testing.assert_allclose(cached, emb, atol=1e-5)
