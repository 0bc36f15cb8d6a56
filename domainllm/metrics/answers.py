"""Lab 1 (naive RAG) onwards: answer metrics: compare one generated answer with its acceptable references.

Every scalar metric takes a prediction and a list of references (the canonical answer plus
its aliases) and returns the best score over the references, so a model that answers with
any accepted spelling gets full credit. All metrics lie in [0, 1].

Cheap lexical metrics (``exact_match``, ``contains_answer``, ``token_f1``, ``token_recall``,
``rouge_l_recall``) work on the output of :func:`normalize_answer`; the ROUGE functions use
the ``rouge-score`` package's own tokenizer on the raw text, as the original KDD labs did.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

# Words that carry no content: dropped when comparing the words of an answer and a passage.
STOPWORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "and",
        "or",
        "as",
        "that",
        "this",
        "it",
        "its",
        "from",
        "under",
        "answer",
        "agreement",
        "contract",
        "party",
        "parties",
        "which",
        "what",
        "who",
        "when",
        "how",
    ]
)

__all__ = [
    "contains_answer",
    "embedding_similarity",
    "exact_match",
    "jaccard",
    "normalize_answer",
    "rouge_l_f1",
    "rouge_l_recall",
    "score_answer",
    "set_scores",
    "token_f1",
    "token_recall",
]

_ASCII_PUNCT = frozenset(string.punctuation)
_THOUSANDS_SEP = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_DECIMAL_MARK = "\x00"  # placeholder that survives punctuation removal
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCT or unicodedata.category(char).startswith("P")


def normalize_answer(text: str) -> str:
    """Lowercase, drop punctuation and the articles a/an/the, and collapse whitespace (SQuAD style).

    Numbers are kept intact: thousands separators are removed (``"2,000,000"`` becomes
    ``"2000000"``) and a decimal point between digits survives (``"3.5"`` stays ``"3.5"``).
    Other punctuation is deleted without leaving a space, as in the SQuAD script
    (``"don't"`` becomes ``"dont"``).
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _THOUSANDS_SEP.sub("", text)
    text = _DECIMAL_POINT.sub(_DECIMAL_MARK, text)
    text = "".join(char for char in text if not _is_punctuation(char))
    text = text.replace(_DECIMAL_MARK, ".")
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _tokens(text: str) -> list[str]:
    return normalize_answer(text).split()


def jaccard(a: Iterable[str], b: Iterable[str], both_empty: float = 0.0) -> float:
    """Jaccard similarity of two token sets; ``both_empty`` when neither has a token."""
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else both_empty


def _as_references(references: str | Sequence[str]) -> list[str]:
    """Accept a single string as one reference (iterating it would give characters)."""
    if isinstance(references, str):
        return [references]
    return list(references)


def exact_match(prediction: str, references: str | Sequence[str]) -> float:
    """1.0 when the normalized prediction equals some normalized reference, else 0.0."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(ref) for ref in _as_references(references)))


def _contains_span(haystack: list[str], needle: list[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def contains_answer(prediction: str, references: str | Sequence[str]) -> float:
    """1.0 when some normalized reference occurs as a contiguous run of whole tokens in the prediction.

    Useful for small models that answer with a full sentence: ``"It was founded in 1998."``
    contains ``"1998"``, but ``"19980"`` does not. Empty references never match.
    """
    pred = _tokens(prediction)
    return float(any(_contains_span(pred, _tokens(ref)) for ref in _as_references(references)))


def _f1(pred: list[str], ref: list[str]) -> float:
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred)
    recall = common / len(ref)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, references: str | Sequence[str]) -> float:
    """SQuAD token F1 (multiset overlap of normalized tokens), best over the references."""
    pred = _tokens(prediction)
    return max((_f1(pred, _tokens(ref)) for ref in _as_references(references)), default=0.0)


def _recall(pred: list[str], ref: list[str]) -> float:
    if not ref:
        return float(not pred)
    return sum((Counter(pred) & Counter(ref)).values()) / len(ref)


def token_recall(prediction: str, references: str | Sequence[str]) -> float:
    """Token overlap recall of the original KDD labs: share of reference tokens found in the prediction.

    Overlap counts tokens as a multiset (a reference token used twice must appear twice).
    Best over the references.
    """
    pred = _tokens(prediction)
    return max((_recall(pred, _tokens(ref)) for ref in _as_references(references)), default=0.0)


@lru_cache(maxsize=1)
def _rouge_scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)


def _rouge_l(prediction: str, reference: str) -> Any:
    # rouge-score's signature is score(target, prediction).
    return _rouge_scorer().score(reference, prediction)["rougeL"]


def rouge_l_recall(prediction: str, references: str | Sequence[str]) -> float:
    """ROUGE-L recall (longest common subsequence / reference length), best over the references."""
    return max((_rouge_l(prediction, ref).recall for ref in _as_references(references)), default=0.0)


def rouge_l_f1(prediction: str, reference: str | Sequence[str]) -> float:
    """ROUGE-L F-measure, e.g. for a generated summary against a reference summary.

    ``reference`` may also be a list of references; the best F-measure is returned.
    """
    return max((_rouge_l(prediction, ref).fmeasure for ref in _as_references(reference)), default=0.0)


def embedding_similarity(
    predictions: Sequence[str],
    references: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Cosine similarity between each prediction and the reference at the same position.

    ``encode`` maps a list of texts to a 2-D array with one row per text (for instance a
    sentence-transformers model's ``encode``). Texts are encoded in a single call. A
    zero-length embedding gets similarity 0.
    """
    if len(predictions) != len(references):
        raise ValueError(f"got {len(predictions)} predictions but {len(references)} references")
    n = len(predictions)
    if n == 0:
        return np.zeros(0, dtype=float)
    vectors = np.asarray(encode(list(predictions) + list(references)), dtype=float)
    if vectors.ndim != 2 or vectors.shape[0] != 2 * n:
        raise ValueError(f"encode returned shape {vectors.shape}, expected ({2 * n}, dim)")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return np.einsum("ij,ij->i", unit[:n], unit[n:])


def score_answer(prediction: str, references: str | Sequence[str]) -> dict[str, float]:
    """All cheap lexical metrics for one answer: em, contains, f1, token_recall, rouge_l_recall."""
    refs = _as_references(references)
    return {
        "em": exact_match(prediction, refs),
        "contains": contains_answer(prediction, refs),
        "f1": token_f1(prediction, refs),
        "token_recall": token_recall(prediction, refs),
        "rouge_l_recall": rouge_l_recall(prediction, refs),
    }


def set_scores(predicted: Iterable[str], gold: Iterable[str]) -> tuple[float, float, float]:
    """Set precision, recall and F1 for list-valued answers, after :func:`normalize_answer`.

    Duplicates and items that normalize to an empty string are dropped. Both sets empty
    gives (1, 1, 1); exactly one side empty gives (0, 0, 0).
    """
    pred = {item for item in map(normalize_answer, predicted) if item}
    ref = {item for item in map(normalize_answer, gold) if item}
    if not pred and not ref:
        return 1.0, 1.0, 1.0
    if not pred or not ref:
        return 0.0, 0.0, 0.0
    hits = len(pred & ref)
    precision = hits / len(pred)
    recall = hits / len(ref)
    f1 = 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1
