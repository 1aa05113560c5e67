"""The evaluation harness: models with ``encode`` and tasks in, results tables with intervals out.

- :mod:`~embedcourse.evaluation.tasks`: :class:`RetrievalTask`, :class:`SimilarityTask`,
  :class:`ClusteringTask`, :class:`ClassificationTask`;
- :mod:`~embedcourse.evaluation.harness`: :func:`evaluate` (a :class:`Results` with
  ``.table()`` and per-item ``.scores()``) and :func:`compare` (paired bootstrap per figure);
- :mod:`~embedcourse.evaluation.encoders`: baselines with ``encode``: :class:`TfidfEncoder`,
  :class:`AveragedWordVectors`;
- :mod:`~embedcourse.evaluation.standard`: :func:`load_task` ("lee", "wordsim353",
  "simlex999", "news_headline_lead", "news_outlet_clustering", "news_outlet_classification").

Taught in: chapter 09.
"""

from embedcourse.evaluation import encoders, harness, standard, tasks
from embedcourse.evaluation.encoders import *  # noqa: F403
from embedcourse.evaluation.harness import *  # noqa: F403
from embedcourse.evaluation.standard import *  # noqa: F403
from embedcourse.evaluation.tasks import *  # noqa: F403

__all__ = [*tasks.__all__, *harness.__all__, *encoders.__all__, *standard.__all__]
