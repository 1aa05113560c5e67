"""Offline datasets and pretrained models, read in place from installed packages.

Every dataset and model of the course is listed in :data:`SOURCES` with its package, version,
file paths, sha256, licence and citation; :func:`locate` finds a file and checks its hash, and
the ``load_*`` functions return ready-to-use objects. Nothing is downloaded. Encoded corpora
and other expensive arrays are cached on disk by content hash (:func:`cached_encode`,
:func:`cache_array`).

Taught in: chapter 01 (and every chapter that loads data).
"""

from .cache import cache_array, cache_dir, cached_encode, content_hash
from .loaders import (
    benchmark_path,
    clear_caches,
    describe_sources,
    load_glove,
    load_google_analogies,
    load_googlenews_subset,
    load_lee_corpus,
    load_lee_similarity,
    load_minilm,
    load_movielens_100k,
    load_news_articles,
    load_python_docs,
    load_simlex999,
    load_weat,
    load_wiki_sample,
    load_wordsim353,
)
from .registry import (
    SOURCES,
    DataIntegrityError,
    DataVersionWarning,
    Source,
    locate,
    locate_all,
    verify_sha256,
)

__all__ = [
    "SOURCES",
    "Source",
    "DataIntegrityError",
    "DataVersionWarning",
    "locate",
    "locate_all",
    "verify_sha256",
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
    "cache_dir",
    "content_hash",
    "cache_array",
    "cached_encode",
]
