"""A small vector store from scratch: records with payloads, filtered search, a durable log.

:class:`VectorStore` wraps an index of :mod:`embedcourse.ann` with what a vector database adds:
ids and JSON payloads, upsert and delete, pre- and post-filtered search with the small filter
language of :mod:`embedcourse.store.filters`, a write-ahead log with snapshots written by
rename (:mod:`embedcourse.store.wal`), and a lock for concurrent use.

Taught in: chapter 06.
"""

from embedcourse.store import collection, filters, wal
from embedcourse.store.collection import *  # noqa: F403
from embedcourse.store.filters import *  # noqa: F403
from embedcourse.store.wal import *  # noqa: F403

__all__ = [*collection.__all__, *filters.__all__, *wal.__all__]
