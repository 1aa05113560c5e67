"""The standard word-vector benchmarks in one call, and the per-section analogy table.

:func:`word_benchmarks` scores word vectors on the three benchmarks every word-embedding paper
reports: accuracy on the Google analogy questions (Mikolov et al., 2013), and the Spearman
correlation of cosine similarities with human ratings on WordSim353 (Finkelstein et al., 2002)
and SimLex-999 (Hill et al., 2015). It only calls the gensim verbs
``evaluate_word_analogies`` and ``evaluate_word_pairs``, so it scores an
:class:`embedcourse.vectors.WordVectors` and a gensim ``KeyedVectors`` alike (the benchmark
script ``benchmarks/word2vec_speed.py`` scores both implementations this way).

:func:`analogy_section_table` turns the ``sections`` that ``evaluate_word_analogies`` returns
into a table with one row per section (capitals, plurals, verb tenses...), marked semantic or
syntactic ("gram" sections), because one overall accuracy hides how unevenly it is earned.

Taught in: chapter 01 (analogies per section), chapter 02 (comparing trained vectors).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from embedcourse._validation import check_int

__all__ = ["word_benchmarks", "analogy_section_table"]

#: keys of :func:`word_benchmarks`' result, in order
BENCHMARK_KEYS = ("analogy", "WordSim353", "SimLex-999")


def word_benchmarks(
    wv: Any,
    *,
    analogies: str | os.PathLike[str] | Iterable[str] | Mapping[str, Iterable[Sequence[str]]] | None = None,
    restrict_vocab: int | None = 30000,
) -> dict[str, float]:
    """Analogy accuracy, WordSim353 and SimLex-999 Spearman of word vectors, as gensim computes them.

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
        Anything with gensim's ``evaluate_word_analogies`` and ``evaluate_word_pairs``.
    analogies : path, iterable of lines or mapping, optional
        The analogy questions, in any form ``evaluate_word_analogies`` reads; default: the
        Google analogy benchmark (``embedcourse.data.benchmark_path("google-analogies")``).
    restrict_vocab : int or None, default 30000
        Only the first (most frequent) ``restrict_vocab`` words take part, in the analogies
        (questions and candidate answers) and in the word pairs; ``None`` uses every word.

    Returns
    -------
    dict of str -> float
        ``{"analogy": accuracy in [0, 1], "WordSim353": Spearman rho, "SimLex-999": Spearman rho}``.

    Examples
    --------
    >>> word_benchmarks(ec.data.load_glove(100_000))                  # doctest: +SKIP
    {'analogy': 0.5..., 'WordSim353': 0.5..., 'SimLex-999': 0.2...}

    Taught in: chapter 02.
    """
    from embedcourse.data import benchmark_path

    if not (hasattr(wv, "evaluate_word_analogies") and hasattr(wv, "evaluate_word_pairs")):
        raise TypeError(
            f"wv must be word vectors with gensim's evaluate_word_analogies and evaluate_word_pairs "
            f"(an embedcourse WordVectors or a gensim KeyedVectors); got {type(wv).__name__}."
        )
    if restrict_vocab is not None:
        restrict_vocab = check_int("restrict_vocab", restrict_vocab, 1, None, hint=" or None (all words)")
    if analogies is None:
        analogies = str(benchmark_path("google-analogies"))
    accuracy = wv.evaluate_word_analogies(analogies, restrict_vocab=restrict_vocab)[0]
    pairs_vocab = len(wv) if restrict_vocab is None else restrict_vocab  # gensim's pairs take no None
    scores = {"analogy": float(accuracy)}
    for key, name in (("WordSim353", "wordsim353"), ("SimLex-999", "simlex999")):
        spearman = wv.evaluate_word_pairs(str(benchmark_path(name)), restrict_vocab=pairs_vocab)[1]
        scores[key] = float(spearman[0])
    return scores


def analogy_section_table(sections: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Mapping[str, Any]]]) -> Any:
    """One row per analogy section: questions asked, answered right, accuracy, semantic or syntactic.

    Parameters
    ----------
    sections : list of dict, or mapping of name -> list of dict
        The second output of ``evaluate_word_analogies`` (dicts with keys ``"section"``,
        ``"correct"``, ``"incorrect"``), or several of them by name (e.g. one per set of
        vectors), which adds a first column ``vectors``. The ``"Total accuracy"`` entry and
        sections with no question asked are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``kind`` (``"syntactic"`` for the ``gram*`` sections, else
        ``"semantic"``), ``questions``, ``correct`` and ``accuracy`` (``correct / questions``),
        in the order of the sections (and of the names), with a fresh 0..n-1 index.

    Examples
    --------
    >>> _, sections = wv.evaluate_word_analogies(path, restrict_vocab=10_000)   # doctest: +SKIP
    >>> analogy_section_table(sections).sort_values("accuracy")                # doctest: +SKIP

    Taught in: chapter 01, chapter 02.
    """
    import pandas as pd

    if isinstance(sections, Mapping):
        if not sections:
            raise ValueError("sections is empty; pass the sections of at least one evaluation.")
        parts = [_section_rows(s, f"sections[{name!r}]") for name, s in sections.items()]
        rows = [{"vectors": name, **r} for name, part in zip(sections, parts, strict=True) for r in part]
        columns = ["vectors", "section", "kind", "questions", "correct", "accuracy"]
    else:
        rows = _section_rows(sections, "sections")
        columns = ["section", "kind", "questions", "correct", "accuracy"]
    return pd.DataFrame(rows, columns=columns)


def _section_rows(sections: Any, name: str) -> list[dict[str, Any]]:
    if isinstance(sections, (str, bytes)) or not isinstance(sections, Sequence):
        raise TypeError(
            f"{name} must be the list of section dicts that evaluate_word_analogies returns; "
            f"got {type(sections).__name__}."
        )
    rows = []
    for i, s in enumerate(sections):
        if not isinstance(s, Mapping) or not {"section", "correct", "incorrect"} <= set(s):
            raise TypeError(
                f"{name}[{i}] must be a dict with keys 'section', 'correct' and 'incorrect' "
                f"(as evaluate_word_analogies returns); got {s!r:.80}."
            )
        n_right, n = len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        if s["section"] == "Total accuracy" or n == 0:
            continue
        kind = "syntactic" if str(s["section"]).startswith("gram") else "semantic"
        rows.append({"section": str(s["section"]), "kind": kind, "questions": n, "correct": n_right,
                     "accuracy": n_right / n})
    return rows
