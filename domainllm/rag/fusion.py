"""Lab 3 (retrieval): Reciprocal rank fusion (Cormack et al., 2009) in plain Python.

Each ranking votes ``1 / (k + rank)`` for every id it lists (rank starts at 1); votes add up.
Only ranks matter, so lists whose scores live on different scales (cosine similarity, BM25)
can be fused without normalising them.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = 60, top_n: int | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists into one ``[(id, score), ...]`` list, best first.

    ``score(id) = sum over rankings of 1 / (k + rank)`` with rank starting at 1; an id repeated
    inside one ranking counts once, at its best rank.

    Ties are broken by first appearance when reading the rankings in the order given, each from
    rank 1 down: an id of ranking 0 beats an equally scored id seen only later. This is the
    order Milvus Lite's ``RRFRanker`` produces (a stable sort over the same sequence), and sums
    are added ranking by ranking as there, so floating-point scores match too.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}.")
    if top_n is not None and top_n < 0:
        raise ValueError(f"top_n must be >= 0 or None, got {top_n}.")
    if isinstance(rankings, str) or any(isinstance(r, str) for r in rankings):
        raise TypeError("rankings must be a sequence of id lists, not a string.")
    scores: dict[str, float] = {}  # insertion order = first appearance, used as the tie-break
    for ranking in rankings:
        seen: set[str] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    fused = sorted(scores.items(), key=lambda pair: pair[1], reverse=True)  # stable: keeps tie order
    return fused if top_n is None else fused[:top_n]
