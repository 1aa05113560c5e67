"""The word-vector benchmarks, as gensim scores them: analogy accuracy and word-pair correlation.

``evaluate_word_analogies`` and ``evaluate_word_pairs`` are methods of
:class:`embedcourse.vectors.WordVectors` (assigned in its class body), with gensim's arguments
and results: the same questions are skipped, the same case folding applies and the figures
agree with gensim's (``tests/test_vectors.py``). Analogy questions are answered all together,
in blocks of matrix products, by the 3CosAdd / 3CosMul formulas of
:mod:`embedcourse.vectors.analogy`. For the three standard benchmarks in one call, see
:func:`embedcourse.metrics.word_benchmarks`.

Taught in: chapters 01, 02.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice
from embedcourse.topk import top_k
from embedcourse.vectors.analogy import ANALOGY_METHODS

if TYPE_CHECKING:  # pragma: no cover
    from embedcourse.vectors.keyed import WordVectors

__all__: list[str] = []  # methods of WordVectors, not separate public names

# Each block of analogy questions scores at most this many (question, candidate) pairs at once
# (float32: 32 MB per block matrix).
_BLOCK_ELEMENTS = 2**23


def _read_lines(source: Any, what: str, encoding: str = "utf8") -> list[str]:
    """Lines of a file path, or the given iterable of lines."""
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise FileNotFoundError(f"{what} file not found: {os.fspath(source)!r}.")
        with open(source, encoding=encoding) as fin:
            return fin.readlines()
    return list(source)


def _ok_vocab(self: WordVectors, restrict_vocab: Any, case_insensitive: bool) -> tuple[dict[str, int], int]:
    """gensim's ``ok_vocab``: (folded word -> row of its first variant, number of rows)."""
    if restrict_vocab is None:
        m = len(self)
    else:
        m = self._check_restrict(restrict_vocab)
    ok: dict[str, int] = {}
    for i, w in enumerate(self.index_to_key[:m]):
        ok.setdefault(w.upper() if case_insensitive else w, i)
    return ok, m


def evaluate_word_analogies(
    self: WordVectors,
    analogies: str | os.PathLike | Iterable[str] | Mapping[str, Iterable[Sequence[str]]],
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    method: str = "3cosadd",
) -> tuple[float, list[dict[str, Any]]]:
    """Accuracy on analogy questions "a b c d" (a is to b as c is to d), as gensim computes it.

    For every question whose four words are among the first ``restrict_vocab`` words, the
    prediction is the best candidate among those words other than a, b and c (3CosAdd:
    nearest to ``unit(b) - unit(a) + unit(c)``); it is correct if it is d. With
    ``case_insensitive``, words are compared upper-cased, each word takes the vector of its
    first (most frequent) case variant, and other case variants of a, b, c are skipped as
    gensim does. All questions are answered together in blocks of matrix products.

    Parameters
    ----------
    analogies : path, iterable of lines, or mapping
        A file in the ``questions-words.txt`` format (``: section`` header lines, then one
        question of four words per line; other lines are skipped), the same as a list of
        lines, or a mapping ``{section name: [(a, b, c, d), ...]}``.
    restrict_vocab : int or None
        Use only the first ``restrict_vocab`` words, both for the questions and for the
        candidate answers; ``None`` uses all words.
    case_insensitive : bool
    dummy4unknown : bool
        False: skip questions with a word outside the restricted vocabulary. True: count
        them as wrong.
    method : {"3cosadd", "3cosmul"}
        "3cosadd" (gensim's only method) or "3cosmul" (``most_similar_cosmul``'s score).

    Returns
    -------
    score : float
        Overall accuracy in [0, 1] (0.0 if no question could be asked).
    sections : list of dict
        One dict per section, in file order, with keys ``'section'`` (name), ``'correct'``
        and ``'incorrect'`` (lists of (a, b, c, d) tuples, upper-cased when
        ``case_insensitive``), then a last one named ``'Total accuracy'`` pooling all.
    """
    method = check_choice("method", method, ANALOGY_METHODS)
    if isinstance(analogies, Mapping):
        lines = []
        for name, quads in analogies.items():
            lines.append(f": {name}")
            lines.extend(" ".join(q) for q in quads)
    else:
        lines = _read_lines(analogies, "analogies")
    ok_vocab, m = _ok_vocab(self, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else (lambda s: s)

    sections: list[dict[str, Any]] = []
    questions: list[tuple[int, tuple[str, ...]]] = []  # (section, words) in file order
    asked: list[int] = []  # positions in `questions` that are in the vocabulary
    for line_no, line in enumerate(lines):
        if line.startswith(": "):
            sections.append({"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []})
            continue
        if not sections:
            raise ValueError(
                f"line {line_no} of the analogies comes before any ': section' header line; "
                f"the questions-words.txt format starts every section with one."
            )
        words = [fold(w) for w in line.split()]
        if len(words) != 4:
            continue  # blank or invalid line, skipped as gensim does
        if all(w in ok_vocab for w in words):
            asked.append(len(questions))
        questions.append((len(sections) - 1, tuple(words)))
    if not questions:
        raise ValueError(
            "no analogy questions found in analogies (expected lines of four words after ': section' headers)."
        )

    correct = np.zeros(len(questions), dtype=bool)
    if asked:
        idx = np.array([[ok_vocab[w] for w in questions[q][1]] for q in asked], dtype=np.int64)
        correct[asked] = _answer_analogies(self, idx, m, method, fold)
    asked_set = set(asked)
    for q, (s, quad) in enumerate(questions):
        if q in asked_set:
            sections[s]["correct" if correct[q] else "incorrect"].append(quad)
        elif dummy4unknown:
            sections[s]["incorrect"].append(quad)
    total = {
        "section": "Total accuracy",
        "correct": [w for s in sections for w in s["correct"]],
        "incorrect": [w for s in sections for w in s["incorrect"]],
    }
    n_total = len(total["correct"]) + len(total["incorrect"])
    score = len(total["correct"]) / n_total if n_total else 0.0
    sections.append(total)
    return score, sections


def _answer_analogies(self: WordVectors, idx: npt.NDArray[np.int64], m: int, method: str, fold: Any) -> npt.NDArray[np.bool_]:
    """For questions given as rows (a, b, c, d) of word indices (< m), is d the answer?"""
    U = self.get_normed_vectors()[:m]
    ua, ub, uc = U[idx[:, 0]], U[idx[:, 1]], U[idx[:, 2]]
    block = max(1, _BLOCK_ELEMENTS // (m if method == "3cosadd" else 3 * m))
    out = np.zeros(len(idx), dtype=bool)
    for start in range(0, len(idx), block):
        sl = slice(start, start + block)
        if method == "3cosadd":
            # gensim's query: (b + c - a) over unit vectors, scaled to unit length
            q = ((ub[sl] + uc[sl]) - ua[sl]).astype(np.float64)
            q /= np.linalg.norm(q, axis=1, keepdims=True)
            S = q.astype(np.float32) @ U.T  # (block, m): cosine with every candidate
        else:
            # cosines with a, b and c from one matrix product, shifted to [0, 1] in place
            n = ua[sl].shape[0]
            C = (np.concatenate([ua[sl], ub[sl], uc[sl]]) @ U.T).reshape(3, n, m)
            C += 1
            C /= 2
            S = C[1] * C[2]
            C[0] += np.float32(1e-6)
            S /= C[0]
            del C
        rows = np.arange(S.shape[0])
        for j in range(3):  # the question words are never answers
            S[rows, idx[sl, j]] = -np.inf
        best = S.argmax(axis=1)
        for r in rows:
            q_idx = idx[start + r]
            asked = {fold(self.index_to_key[i]) for i in q_idx[:3]}
            pred = best[r]
            if np.isfinite(S[r, pred]) and fold(self.index_to_key[pred]) not in asked:
                out[start + r] = fold(self.index_to_key[pred]) == fold(self.index_to_key[q_idx[3]])
                continue
            # Rare: the best candidate is a case variant of a question word. gensim looks
            # through its top 5 for the first that is not; failing that, it keeps the 5th.
            n_ok = int(np.isfinite(S[r]).sum())
            k = min(5, n_ok)
            if k == 0:
                continue
            top = top_k(S[r], k)[1]
            predicted = None
            for cand in top:
                predicted = fold(self.index_to_key[cand])
                if predicted not in asked:
                    break
            out[start + r] = predicted == fold(self.index_to_key[q_idx[3]])
    return out


def evaluate_word_pairs(
    self: WordVectors,
    pairs: str | os.PathLike | Iterable[Sequence[Any]] | Iterable[str],
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    delimiter: str = "\t",
    encoding: str = "utf8",
) -> tuple[Any, Any, float]:
    """Correlation of the model's cosine similarities with human similarity judgements.

    Parameters
    ----------
    pairs : path, or iterable of (word1, word2, score) or of lines
        A ``delimiter``-separated file like gensim's ``wordsim353.tsv`` (lines starting with
        ``#`` and invalid lines are skipped), the same as lines, or (w1, w2, score) tuples.
    restrict_vocab : int or None
        Pairs with a word outside the first ``restrict_vocab`` words are out of vocabulary.
    case_insensitive : bool
        Compare upper-cased words; each takes the vector of its first case variant.
    dummy4unknown : bool
        False: skip out-of-vocabulary pairs. True: give them model similarity 0.
    delimiter, encoding : str
        For reading a file or lines.

    Returns
    -------
    pearson : scipy.stats PearsonRResult
        Unpacks like gensim's as ``(statistic, pvalue)``; ``pearson.statistic`` is r.
    spearman : scipy.stats SignificanceResult
        Unpacks as ``(statistic, pvalue)``; ``spearman.statistic`` is Spearman's rho.
    oov_ratio : float
        Percentage (0-100) of pairs with an out-of-vocabulary word (relative to the pairs
        used when ``dummy4unknown``, as gensim).
    """
    from scipy import stats

    if isinstance(pairs, (str, os.PathLike)):
        items: list = _read_lines(pairs, "pairs", encoding)
    else:
        items = list(pairs)
    ok_vocab, _ = _ok_vocab(self, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else (lambda s: s)
    gold: list[float] = []
    rows: list[tuple[int, int] | None] = []
    oov = 0
    for item in items:
        if isinstance(item, str):
            if not item or item.startswith("#"):
                continue
            item = item.split(delimiter)
        try:
            a, b, sim = item
            a, b, sim = fold(str(a).strip()), fold(str(b).strip()), float(sim)
        except (ValueError, TypeError):
            continue  # invalid line, skipped as gensim does
        if a not in ok_vocab or b not in ok_vocab:
            oov += 1
            if dummy4unknown:
                gold.append(sim)
                rows.append(None)
            continue
        gold.append(sim)
        rows.append((ok_vocab[a], ok_vocab[b]))
    if not gold:
        raise ValueError(
            "no usable word pairs: the input is empty, not in 'word1<TAB>word2<TAB>score' form, "
            "or every pair has a word outside the vocabulary."
        )
    model = np.zeros(len(gold))
    known = [i for i, r in enumerate(rows) if r is not None]
    if known:
        ij = np.array([rows[i] for i in known])
        U = self.get_normed_vectors()
        model[known] = np.einsum("ij,ij->i", U[ij[:, 0]], U[ij[:, 1]])
    if not np.isfinite(gold).all():
        bad = int(np.flatnonzero(~np.isfinite(gold))[0])
        raise ValueError(f"pairs: the human score of usable pair {bad} is {gold[bad]}; scores must be finite numbers.")
    if len(gold) < 2:
        raise ValueError(f"pairs: only {len(gold)} usable word pair; a correlation needs at least 2.")
    for what, values in (("human scores", gold), ("model similarities", model)):
        if np.ptp(values) == 0:
            raise ValueError(
                f"pairs: all {len(gold)} usable {what} are equal, so the correlation is undefined; "
                f"pass pairs with varied scores."
            )
    pearson = stats.pearsonr(gold, model)
    spearman = stats.spearmanr(gold, model)
    denom = len(gold) if dummy4unknown else len(gold) + oov
    return pearson, spearman, 100.0 * oov / denom
