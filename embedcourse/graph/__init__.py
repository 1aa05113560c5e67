"""Graph embeddings: spectral, random-walk, graph neural network and knowledge-graph models.

* :mod:`~embedcourse.graph.spectral` - :func:`laplacian_eigenmaps`, the spectral baseline
  (scikit-learn's ``SpectralEmbedding``);
* :mod:`~embedcourse.graph.walks` - DeepWalk and Node2Vec walks, :func:`node2vec_embedding`
  (walks fed to chapter 02's :class:`embedcourse.models.Word2Vec`);
* :mod:`~embedcourse.graph.gnn` - :class:`GCNLayer`, :class:`SAGELayer` (torch_geometric's
  ``GCNConv`` and ``SAGEConv``) and :class:`GNNClassifier`;
* :mod:`~embedcourse.graph.gat` - :class:`GATLayer`, graph attention (torch_geometric's ``GATConv``);
* :mod:`~embedcourse.graph.kge` - TransE, DistMult and RotatE scores and :class:`KGEModel` (pykeen);
* :mod:`~embedcourse.graph.linkpred` - :func:`filtered_ranks`, the filtered link-prediction
  evaluation (pykeen's ``RankBasedEvaluator``).

Importing this subpackage imports torch.

Taught in: chapter 05.
"""

from embedcourse.graph import gat, gnn, kge, linkpred, spectral, walks
from embedcourse.graph.gat import *  # noqa: F403
from embedcourse.graph.gnn import *  # noqa: F403
from embedcourse.graph.kge import *  # noqa: F403
from embedcourse.graph.linkpred import *  # noqa: F403
from embedcourse.graph.spectral import *  # noqa: F403
from embedcourse.graph.walks import *  # noqa: F403

__all__ = [*spectral.__all__, *walks.__all__, *gnn.__all__, *gat.__all__, *kge.__all__, *linkpred.__all__]
