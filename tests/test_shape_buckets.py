"""Lengths rounded up to shared multiples (domainllm.shape_buckets)."""

import pytest

from domainllm.shape_buckets import SHAPE_MULTIPLE, bucketed


@pytest.mark.parametrize(("length", "expected"), [(0, 0), (1, 32), (31, 32), (32, 32), (33, 64), (300, 320)])
def test_lengths_round_up_to_the_multiple(length: int, expected: int) -> None:
    assert SHAPE_MULTIPLE == 32
    assert bucketed(length) == expected


def test_a_thousand_lengths_fall_into_few_shapes() -> None:
    assert len({bucketed(n) for n in range(1, 1001)}) == 32


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="length >= 0"):
        bucketed(-1)
    with pytest.raises(ValueError, match="multiple >= 1"):
        bucketed(10, multiple=0)
