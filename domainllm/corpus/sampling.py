"""Seeded samples of questions that keep the mix of clause categories (labs 7 and 9).

The benchmark (lab 9) scores a stratified sample of each split, and fine-tuning (lab 7) picks the
train questions it learns from the same way, so a sample of 64 still asks about every kind of
clause in the proportions the split has.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from domainllm.corpus.records import Question


def stratified_by_category(questions: Sequence[Question], n: int, seed: int = 0) -> list[Question]:
    """A seeded sample of ``n`` questions, stratified by (category, kind), in the questions' order.

    Each stratum gets its share of ``n`` (largest remainder first), drawn at random within it; all
    questions when ``n`` is at least their number.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}.")
    if n >= len(questions):
        return list(questions)
    strata: dict[tuple[str, str], list[int]] = {}
    for i, q in enumerate(questions):
        strata.setdefault((q.category, q.kind), []).append(i)
    shares = {key: n * len(members) / len(questions) for key, members in sorted(strata.items())}
    quota = {key: int(share) for key, share in shares.items()}
    for key in sorted(shares, key=lambda k: (quota[k] - shares[k], k))[: n - sum(quota.values())]:
        quota[key] += 1
    rng = random.Random(seed)
    picked = sorted(i for key, members in sorted(strata.items()) for i in rng.sample(members, quota[key]))
    return [questions[i] for i in picked]
