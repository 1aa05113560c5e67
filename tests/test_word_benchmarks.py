"""Tests for embedcourse.metrics.benchmarks: the word-benchmark harness and the per-section table.

The harness only calls the gensim verbs, so its oracle is the same harness on gensim's own
``KeyedVectors`` (and the direct calls it replaces); the section table is checked on hand-made
sections and on the chapter 01 figures (GloVe, the 10,000 most frequent words).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import embedcourse as ec
from embedcourse.metrics import analogy_section_table, word_benchmarks

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")

SECTIONS = [
    {"section": "capital-common-countries", "correct": [("A", "B", "C", "D")] * 3, "incorrect": [("A", "B", "C", "E")]},
    {"section": "family", "correct": [], "incorrect": []},  # nothing asked: left out
    {"section": "gram1-adjective-to-adverb", "correct": [], "incorrect": [("A", "B", "C", "E")] * 2},
    {"section": "Total accuracy", "correct": [("A", "B", "C", "D")] * 3, "incorrect": [("A", "B", "C", "E")] * 3},
]


def test_analogy_section_table_by_hand():
    table = analogy_section_table(SECTIONS)
    assert list(table.columns) == ["section", "kind", "questions", "correct", "accuracy"]
    assert table["section"].tolist() == ["capital-common-countries", "gram1-adjective-to-adverb"]
    assert table["kind"].tolist() == ["semantic", "syntactic"]
    assert table["questions"].tolist() == [4, 2] and table["correct"].tolist() == [3, 0]
    np.testing.assert_allclose(table["accuracy"], [0.75, 0.0])
    both = analogy_section_table({"ours": SECTIONS, "theirs": SECTIONS[:1]})
    assert list(both.columns) == ["vectors", "section", "kind", "questions", "correct", "accuracy"]
    assert both["vectors"].tolist() == ["ours", "ours", "theirs"] and list(both.index) == [0, 1, 2]
    empty = analogy_section_table(SECTIONS[1:2])
    assert isinstance(empty, pd.DataFrame) and len(empty) == 0


def test_analogy_section_table_bad_input():
    with pytest.raises(TypeError, match="sections must be the list of section dicts"):
        analogy_section_table("family")
    with pytest.raises(TypeError, match=r"sections\[0\] must be a dict with keys"):
        analogy_section_table([{"section": "family"}])
    with pytest.raises(ValueError, match="sections is empty"):
        analogy_section_table({})


def test_word_benchmarks_bad_input():
    with pytest.raises(TypeError, match="wv must be word vectors"):
        word_benchmarks(np.ones((3, 2)))
    wv = ec.vectors.WordVectors(np.eye(3), ["a", "b", "c"])
    with pytest.raises(ValueError, match="restrict_vocab must be an int >= 1"):
        word_benchmarks(wv, restrict_vocab=0)


@pytest.fixture(scope="module")
def glove50k():
    wv = ec.data.load_glove(50_000)
    return wv, wv.to_gensim()


@pytest.mark.slow
def test_word_benchmarks_is_the_direct_calls_and_agrees_with_gensim(glove50k):
    wv, kv = glove50k
    ours = word_benchmarks(wv)
    analogies = str(ec.data.benchmark_path("google-analogies"))
    direct = {
        "analogy": wv.evaluate_word_analogies(analogies, restrict_vocab=30000)[0],
        "WordSim353": wv.evaluate_word_pairs(str(ec.data.benchmark_path("wordsim353")), restrict_vocab=30000)[1][0],
        "SimLex-999": wv.evaluate_word_pairs(str(ec.data.benchmark_path("simlex999")), restrict_vocab=30000)[1][0],
    }
    assert ours == direct
    # the same harness on gensim's KeyedVectors (its own evaluators): analogy accuracy may move by
    # the few questions float32 rounding decides (measured: none on 14,877); Spearman by ~3e-5
    theirs = word_benchmarks(kv)
    assert list(theirs) == ["analogy", "WordSim353", "SimLex-999"]
    assert ours["analogy"] == pytest.approx(theirs["analogy"], abs=3 / 14_877), (ours, theirs)
    np.testing.assert_allclose([ours["WordSim353"], ours["SimLex-999"]],
                               [theirs["WordSim353"], theirs["SimLex-999"]], atol=1e-4)
    # restrict_vocab=None: every word, for the analogies and the pairs alike
    lines = [": royal", "man king woman queen", "paris france rome italy"]
    everything = word_benchmarks(wv, analogies=lines, restrict_vocab=None)
    assert everything["analogy"] == wv.evaluate_word_analogies(lines, restrict_vocab=None)[0]


@pytest.mark.slow
def test_analogy_section_table_chapter_01_figures(glove50k):
    wv, _ = glove50k
    path = str(ec.data.benchmark_path("google-analogies"))
    accuracy, sections = wv.evaluate_word_analogies(path, restrict_vocab=10_000)
    table = analogy_section_table(sections)
    assert table["questions"].sum() == 6_762  # chapter 01: questions among the 10,000 most frequent words
    assert table["correct"].sum() / table["questions"].sum() == pytest.approx(accuracy)
    by_section = table.set_index("section")["accuracy"]
    assert by_section["gram6-nationality-adjective"] > 0.95, by_section
    assert by_section[["capital-common-countries", "capital-world", "family"]].between(0.7, 0.9).all(), by_section
    assert by_section[["gram2-opposite", "city-in-state", "gram1-adjective-to-adverb"]].max() < 0.2, by_section
