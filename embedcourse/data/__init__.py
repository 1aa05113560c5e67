"""Offline datasets and pretrained models, read in place from installed packages.

Every dataset and model of the course is listed in :data:`SOURCES` with its package, version,
file paths, sha256, licence and citation; :func:`locate` finds a file and checks its hash, and
the ``load_*`` functions return ready-to-use objects. Nothing is downloaded. The modules
follow the kind of data:

- ``registry``: the :data:`SOURCES` table; ``files``: :func:`locate`, :func:`verify_sha256`;
- ``words``: GloVe, the GoogleNews subset, analogy and word-similarity benchmarks, WEAT sets;
- ``corpora``: the Lee corpus and its similarity ratings, Wikipedia, news, Python docs;
- ``recommendations``: MovieLens-100k; ``pretrained``: the MiniLM sentence encoder;
- ``describe``: :func:`describe_sources` and :func:`clear_caches`.

Encoded corpora and other expensive arrays are cached on disk by :mod:`embedcourse.cache`
(:func:`embedcourse.sentence.cached_encode` for corpora).

Taught in: chapter 01 (and every chapter that loads data).
"""

from embedcourse.data import corpora, describe, files, pretrained, recommendations, registry, words
from embedcourse.data.corpora import *  # noqa: F403
from embedcourse.data.describe import *  # noqa: F403
from embedcourse.data.files import *  # noqa: F403
from embedcourse.data.pretrained import *  # noqa: F403
from embedcourse.data.recommendations import *  # noqa: F403
from embedcourse.data.registry import *  # noqa: F403
from embedcourse.data.words import *  # noqa: F403

__all__ = [
    *registry.__all__,
    *files.__all__,
    *words.__all__,
    *pretrained.__all__,
    *corpora.__all__,
    *recommendations.__all__,
    *describe.__all__,
]
