"""The original KDD labs' token-overlap recall, as continuous-eval defines it (lab 4b).

The tutorial's labs scored answers with continuous-eval's token-overlap recall and ROUGE-L
recall. Token-overlap recall tokenizes both texts the same way (lowercase, ASCII punctuation
deleted, NLTK's English stop words dropped, numerals read as numbers) and divides the number of
*distinct* answer tokens found in the reference by the number of reference tokens. Several
references: the best score counts. (continuous-eval's ROUGE-L recall runs on the words as they
are, without removing stop words; :func:`domainllm.metrics.answers.rouge_l_recall` computes it.)

Both reward length (a whole contract has recall 1), so the book reports them only beside the
mean answer length and the span metrics of :mod:`domainllm.metrics.spans`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

__all__ = ["ENGLISH_STOPWORDS", "overlap_tokens", "overlap_token_recall"]

# NLTK's English stop-word list (nltk.corpus.stopwords, 179 words), kept here so no corpus
# download is needed at run time.
ENGLISH_STOPWORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "you're",
        "you've",
        "you'll",
        "you'd",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "she's",
        "her",
        "hers",
        "herself",
        "it",
        "it's",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "that'll",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "don't",
        "should",
        "should've",
        "now",
        "d",
        "ll",
        "m",
        "o",
        "re",
        "ve",
        "y",
        "ain",
        "aren",
        "aren't",
        "couldn",
        "couldn't",
        "didn",
        "didn't",
        "doesn",
        "doesn't",
        "hadn",
        "hadn't",
        "hasn",
        "hasn't",
        "haven",
        "haven't",
        "isn",
        "isn't",
        "ma",
        "mightn",
        "mightn't",
        "mustn",
        "mustn't",
        "needn",
        "needn't",
        "shan",
        "shan't",
        "shouldn",
        "shouldn't",
        "wasn",
        "wasn't",
        "weren",
        "weren't",
        "won",
        "won't",
        "wouldn",
        "wouldn't",
    ]
)
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def overlap_tokens(text: str) -> list[str]:
    """continuous-eval's tokens: lowercase, punctuation deleted, stop words dropped, numbers unified."""
    words = text.lower().translate(_PUNCTUATION).split()
    return [str(float(w)) if _NUMBER.match(w) else w for w in words if w not in ENGLISH_STOPWORDS]


def _as_list(references: str | Sequence[str]) -> list[str]:
    return [references] if isinstance(references, str) else list(references)


def _token_recall(prediction: list[str], reference: list[str]) -> float:
    if not reference:
        return 0.0
    return len(set(prediction) & set(reference)) / len(reference)


def overlap_token_recall(prediction: str, references: str | Sequence[str]) -> float:
    """Share of reference tokens that the prediction contains (distinct tokens), best reference."""
    predicted = overlap_tokens(prediction)
    return max((_token_recall(predicted, overlap_tokens(r)) for r in _as_list(references)), default=0.0)
