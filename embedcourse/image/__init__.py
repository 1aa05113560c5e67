"""Image embeddings: real image sets, augmentations, a small CNN, a tiny ViT, training and evaluation.

* :mod:`~embedcourse.image.data` - :func:`load_images` (scikit-learn digits, MNIST-5k;
  Fashion-MNIST where installed) as float arrays with labels, :func:`load_photo` (scikit-image's
  bundled photos);
* :mod:`~embedcourse.image.augment` - :func:`random_affine`, random crops, shifts, rotations and
  noise in torch (SimCLR's views);
* :mod:`~embedcourse.image.cnn` - :class:`SmallCNN`, a convolutional encoder;
* :mod:`~embedcourse.image.vit` - :func:`patchify` and :class:`TinyViT` (patch and position
  embeddings, a CLS token);
* :mod:`~embedcourse.image.train` - :func:`train_loop`, chapter 04's front door to
  :func:`embedcourse.training.fit` (seeded, prints its progress as text), and :func:`embed`;
* :mod:`~embedcourse.image.evaluate` - per-query :func:`knn_correct` and
  :func:`same_class_recall` (scikit-learn's ``KNeighborsClassifier``);
* :mod:`~embedcourse.image.hovermap` - :func:`png_data_uri` and :func:`image_hover_html`: a
  scatter plot that shows the image under the mouse, in a static page;
* :mod:`~embedcourse.image.clip` - :func:`make_captions` and :func:`zero_shot_predict` for a
  reduced CLIP with a frozen text tower.

The contrastive losses (NT-Xent, symmetric InfoNCE) are in :mod:`embedcourse.losses`.
Importing this subpackage imports torch.

Taught in: chapter 04.
"""

from embedcourse.image import augment, clip, cnn, data, evaluate, hovermap, train, vit
from embedcourse.image.augment import *  # noqa: F403
from embedcourse.image.clip import *  # noqa: F403
from embedcourse.image.cnn import *  # noqa: F403
from embedcourse.image.data import *  # noqa: F403
from embedcourse.image.evaluate import *  # noqa: F403
from embedcourse.image.hovermap import *  # noqa: F403
from embedcourse.image.train import *  # noqa: F403
from embedcourse.image.vit import *  # noqa: F403

__all__ = [*data.__all__, *augment.__all__, *cnn.__all__, *vit.__all__, *train.__all__, *evaluate.__all__,
           *clip.__all__, *hovermap.__all__]
