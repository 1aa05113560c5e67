"""Recommendation data: MovieLens-100k ratings, movies and users.

:func:`load_movielens_100k` reads RecBole's atomic-file copy of MovieLens-100k in place from
the installed ``recbole`` package (the MovieLens licence forbids redistribution, so nothing is
copied), checks each file's sha256, and returns typed pandas tables, optionally with RecBole's
Freebase links and knowledge-graph triples.

Taught in: the recommendation chapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embedcourse._validation import check_bool

from .files import _memoise, locate

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd

__all__ = ["load_movielens_100k"]


def _read_atomic(path: Path) -> pd.DataFrame:
    """Read a RecBole atomic file: tab-separated, header cells ``name:type``."""
    import csv

    import pandas as pd

    df = pd.read_csv(
        path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE, encoding="utf-8"
    )
    df.columns = [c.split(":", 1)[0] for c in df.columns]
    return df


@_memoise(maxsize=2)
def _movielens(kg: bool) -> dict[str, pd.DataFrame]:
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


def load_movielens_100k(kg: bool = False) -> dict[str, pd.DataFrame]:
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
