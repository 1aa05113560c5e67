"""Tests for embedcourse.features: the hashing trick (stable seeded buckets, collisions) and table memory.

Oracles: the analytic collision rate (measured vs 1 - (1 - 1/B)**(n - 1)), torch's EmbeddingBag
for bag_inputs, and a second process with another PYTHONHASHSEED for stability.
"""

import subprocess
import sys

import numpy as np
import pytest

import embedcourse as ec
from embedcourse import features



def test_hash_bucket_is_stable_seeded_and_in_range():
    keys = [f"user_{i}" for i in range(1000)]
    a = features.hash_bucket(keys, 97, random_state=0)
    assert a.dtype == np.int64 and a.min() >= 0 and a.max() < 97
    assert np.array_equal(a, features.hash_bucket(keys, 97, random_state=0))
    assert not np.array_equal(a, features.hash_bucket(keys, 97, random_state=1))
    # fixed values: the same on every machine and process (Python's hash() is salted)
    assert int(features.hash_bucket("user_0", 1_000_003)) == int(features.hash_bucket(["user_0"], 1_000_003)[0])
    ints = features.hash_bucket(np.arange(10_000), 100)
    assert np.bincount(ints, minlength=100).min() > 60  # roughly uniform: 100 per bucket expected
    with pytest.raises(ValueError, match=r"n_buckets must be an int in \[1, 2\*\*63 - 1\]; got 0"):
        features.hash_bucket(["a"], 0)
    with pytest.raises(TypeError, match="random_state must be an int .*; got 1.5"):
        features.hash_bucket(["a"], 10, random_state=1.5)
    with pytest.raises(TypeError, match="key 1 is float"):
        features.hash_bucket(np.array(["a", 1.5], dtype=object), 10)


@pytest.mark.parametrize("n_keys,n_buckets", [(10_000, 100_000), (100_000, 100_000), (50_000, 10_000)])
def test_collision_rate_matches_theory(n_keys, n_buckets):
    measured = features.collision_rate(n_keys, n_buckets, random_state=0)
    expected = features.expected_collision_rate(n_keys, n_buckets)
    # observed: 0.0962 vs 0.0952 (10k keys, 100k buckets), 0.6340 vs 0.6321, 0.9929 vs 0.9933
    assert measured == pytest.approx(expected, rel=0.03), (measured, expected)


def test_bag_inputs_feed_embedding_bag():
    import torch

    bags = [[1, 2], [0], [3, 1, 2]]
    flat, offsets = features.bag_inputs(bags)
    assert flat.tolist() == [1, 2, 0, 3, 1, 2] and offsets.tolist() == [0, 2, 3]
    torch.manual_seed(0)
    bag = torch.nn.EmbeddingBag(4, 5, mode="mean")
    out = bag(torch.as_tensor(flat), torch.as_tensor(offsets)).detach().numpy()
    table = bag.weight.detach().numpy()
    np.testing.assert_allclose(out, np.stack([table[b].mean(0) for b in bags]), rtol=1e-6)
    with pytest.raises(ValueError, match="bags is empty"):
        features.bag_inputs([])


def test_table_bytes():
    assert features.table_bytes(1_000_000_000, 64, "float32") == 256_000_000_000
    assert features.table_bytes(10, 8, np.float16) == 160
    assert features.format_bytes(256_000_000_000) == "256.0 GB"
    with pytest.raises(ValueError, match="rows and dim must be >= 0"):
        features.table_bytes(-1, 3)


def test_public_names_and_layout():
    assert set(features.__all__) == {
        "hash_bucket", "collision_rate", "expected_collision_rate", "expected_occupied_fraction",
        "bag_inputs", "table_bytes", "format_bytes",
    }
    assert ec.features.hash_bucket is features.hashing.hash_bucket
    assert ec.features.table_bytes is features.memory.table_bytes
    assert not hasattr(ec.models, "hash_bucket") and "tables" not in ec.models.__all__


def test_hash_bucket_is_the_same_in_another_process():
    """Python's hash() of a str changes with PYTHONHASHSEED; hash_bucket must not."""
    code = (
        "from embedcourse.features import hash_bucket; "
        "print(hash_bucket(['user_0', 'user_1', 'zip_75001'], 1_000_003, random_state=7).tolist())"
    )
    outs = set()
    for hashseed in ("0", "12345"):
        env = {**__import__("os").environ, "PYTHONHASHSEED": hashseed}
        outs.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout)
    assert len(outs) == 1
    here = features.hash_bucket(["user_0", "user_1", "zip_75001"], 1_000_003, random_state=7).tolist()
    assert outs.pop().strip() == str(here)


def test_expected_occupied_fraction_matches_simulation():
    b = features.hash_bucket(np.arange(20_000), 10_000, random_state=3)
    occupied = np.unique(b).size / 10_000
    expected = features.expected_occupied_fraction(20_000, 10_000)  # 1 - exp(-2) = 0.8647
    assert occupied == pytest.approx(expected, abs=0.01), (occupied, expected)


def test_format_bytes_units():
    assert features.format_bytes(999) == "999 B"
    assert features.format_bytes(1_500_000) == "1.5 MB"
