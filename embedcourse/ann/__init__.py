"""Nearest-neighbour indexes with faiss's interface: ``train``, ``add``, ``search(q, k) -> (D, I)``.

Every index here is an :class:`Index` (``d``, ``metric``, ``ntotal``, ``is_trained``, ``train``,
``add``, ``search``, ``reset``, ``save``/``load``), so ours and faiss's can be swapped in one
line, and :func:`index_factory` builds them from faiss-style strings (``"Flat"``,
``"IVF1024,Flat"``, ``"IVF256,PQ16"``, ``"HNSW32"``...):

* :class:`FlatIndex`: exact search (faiss ``IndexFlat``), the ground truth;
* :class:`IVFIndex`: inverted lists from k-means, ``nprobe`` of them scanned (``IndexIVFFlat``);
* :class:`PQIndex`: product-quantised codes scanned with lookup tables (``IndexPQ``), built on
  :class:`ProductQuantizer`;
* :class:`IVFPQIndex`: both, with residual codes and optional exact re-ranking (``IndexIVFPQ``);
* :class:`SQ8Index`: one byte per dimension (``IndexScalarQuantizer`` with ``QT_8bit``);
* :class:`LSHIndex`: random-hyperplane hash tables with exact re-ranking;
* :class:`HNSWIndex`: a navigable small-world graph (``IndexHNSWFlat``, hnswlib);
* :class:`KMeans`: the clustering behind IVF and PQ (faiss ``Kmeans``).

Taught in: chapter 07 (and used in chapters 06, 10 and 11).
"""

from embedcourse.ann import base, factory, flat, ivf, ivfpq, kmeans, lsh, pq, sq
from embedcourse.ann.base import *  # noqa: F403
from embedcourse.ann.factory import *  # noqa: F403
from embedcourse.ann.flat import *  # noqa: F403
from embedcourse.ann.ivf import *  # noqa: F403
from embedcourse.ann.ivfpq import *  # noqa: F403
from embedcourse.ann.kmeans import *  # noqa: F403
from embedcourse.ann.lsh import *  # noqa: F403
from embedcourse.ann.pq import *  # noqa: F403
from embedcourse.ann.sq import *  # noqa: F403
from embedcourse.ann import hnsw
from embedcourse.ann.hnsw import *  # noqa: F403

__all__ = [*base.__all__, *flat.__all__, *factory.__all__, *kmeans.__all__, *ivf.__all__, *pq.__all__,
           *ivfpq.__all__, *sq.__all__, *lsh.__all__, *hnsw.__all__]
