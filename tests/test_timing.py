"""Tests for embedcourse.timing: warm throughput (items per second, first-call costs excluded)."""

import time

import pytest

from embedcourse.timing import throughput


class Compiling:
    """A function whose first call is slow (as a JIT compile or a lazy model load) and later calls fast."""

    def __init__(self, first: float, per_call: float) -> None:
        self.first, self.per_call, self.calls = first, per_call, 0

    def __call__(self, items):
        self.calls += 1
        time.sleep(self.first if self.calls == 1 else self.per_call)
        return [x for x in items]


def test_warm_up_excludes_the_first_call():
    fn = Compiling(first=0.3, per_call=0.01)
    rate = throughput(fn, list(range(100)), repeat=2)
    assert fn.calls == 3  # one warm-up call, then two timed calls
    # 100 items in about 0.01 s: thousands per second; the 0.3 s first call would give < 334
    assert rate > 1000, rate
    cold = Compiling(first=0.3, per_call=0.01)
    assert throughput(cold, list(range(100)), warmup=False) < 334
    assert cold.calls == 1


def test_fastest_of_repeats_and_units():
    fn = Compiling(first=0.0, per_call=0.02)
    rate = throughput(fn, ["a"] * 50, repeat=3)
    assert fn.calls == 4
    assert 50 / 0.2 < rate <= 50 / 0.02 * 1.01, rate  # items per second, not calls per second


def test_bad_input():
    with pytest.raises(TypeError, match="fn must be a callable"):
        throughput("encode", [1])
    with pytest.raises(TypeError, match="not one string"):
        throughput(len, "abc")
    with pytest.raises(ValueError, match="items is empty"):
        throughput(len, [])
    with pytest.raises(TypeError, match="sequence with a length"):
        throughput(len, (x for x in range(3)))
    with pytest.raises(ValueError, match=r"repeat must be an int in \[1, 1000\]; got 0"):
        throughput(len, [1], repeat=0)
    with pytest.raises(TypeError, match="warmup must be True or False"):
        throughput(len, [1], warmup=1)


def test_top_level_name():
    import embedcourse as ec

    assert ec.timing.throughput is throughput
