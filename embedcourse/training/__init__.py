"""One training loop for every chapter that trains: :func:`fit`, its schedule, seeds and checkpoints.

- :mod:`~embedcourse.training.loop`: ``fit(model, loss_fn, batches, epochs=...)`` returns a
  :class:`~embedcourse.training.result.FitResult` (losses per step and epoch, validation scores,
  best epoch, early stopping); seeded, resumable from a checkpoint, plain-text progress.
- :mod:`~embedcourse.training.schedule`: ``learning_rate`` (linear warmup, constant or linear decay).
- :mod:`~embedcourse.training.seeding`: ``seeded`` (build a model from a seed) and ``epoch_rng``
  (the generator of epoch e).
- :mod:`~embedcourse.training.batches`: ``index_batches`` (shuffled index mini-batches).
- :mod:`~embedcourse.training.checkpoint`: ``save_checkpoint`` / ``load_checkpoint`` (atomic).
- :mod:`~embedcourse.training.result`: ``FitResult``.

Importing this subpackage imports torch.

Taught in: chapter 08.
"""

from embedcourse.training import batches, checkpoint, loop, progress, result, schedule, seeding  # noqa: F401
from embedcourse.training.batches import *  # noqa: F403
from embedcourse.training.checkpoint import *  # noqa: F403
from embedcourse.training.loop import *  # noqa: F403
from embedcourse.training.result import *  # noqa: F403
from embedcourse.training.schedule import *  # noqa: F403
from embedcourse.training.seeding import *  # noqa: F403

__all__ = [*loop.__all__, *result.__all__, *schedule.__all__, *seeding.__all__, *batches.__all__,
           *checkpoint.__all__]
