"""Input checks shared by every module: clear errors that say what was wrong and what to do.

Every public function in :mod:`embedcourse` that takes arrays, sizes, seeds or text runs them
through these helpers, so a reader who passes a list of lists, a 1-d vector, a matrix with NaN,
a bare string where a list of strings belongs, or ``k`` larger than the data gets one readable
sentence naming the argument and what is allowed, instead of an error three frames deep.

The policy, shared by every module and enforced by ``tests/test_fuzz.py`` (a property-based walk
of the whole public API with bad input):

- bad input raises ValueError/TypeError/KeyError with the argument's name and what is allowed;
- a bare str where a list of str is expected is a TypeError (never read as its characters);
- a zero vector has no direction: cosine with it raises (scikit-learn returns 0, scipy NaN;
  we refuse to guess), while dot/euclidean/manhattan/hamming define a value and return it;
- NaN/inf in the input raises; a result that would overflow (float32 values near 1e20
  squared) is computed safely (norms by scaling) or raises, never returns NaN/inf.
"""

from embedcourse._validation import arrays, deps, scalars, text
from embedcourse._validation.arrays import *  # noqa: F403
from embedcourse._validation.deps import *  # noqa: F403
from embedcourse._validation.scalars import *  # noqa: F403
from embedcourse._validation.text import *  # noqa: F403

__all__ = [*deps.__all__, *arrays.__all__, *scalars.__all__, *text.__all__]
