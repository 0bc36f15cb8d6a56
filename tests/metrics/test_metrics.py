"""Answer metrics, with expected values worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from domainllm.metrics.answers import (
    contains_answer,
    embedding_similarity,
    exact_match,
    jaccard,
    normalize_answer,
    rouge_l_f1,
    rouge_l_recall,
    score_answer,
    set_scores,
    token_f1,
    token_recall,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Quick, brown fox!", "quick brown fox"),
        ("An apple a day", "apple day"),
        ("  lots   of\tspace\n", "lots of space"),
        ("don't", "dont"),
        ("\u201cHello\u201d \u2014 world", "hello world"),  # curly quotes and em dash are punctuation
        ("$2,000,000.", "2000000"),
        ("2000000", "2000000"),
        ("It grew 3.5 percent.", "it grew 3.5 percent"),  # decimal point kept, final period dropped
        ("theatre", "theatre"),  # article removal works on whole words only
        ("", ""),
    ],
)
def test_normalize_answer(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


def test_exact_match_is_strict_and_takes_best_reference() -> None:
    refs = ["eiffel tower", "Tour Eiffel"]
    assert exact_match("The Eiffel Tower.", refs) == 1.0
    assert exact_match("tour eiffel", refs) == 1.0  # matches the alias
    assert exact_match("The Eiffel Tower in Paris", refs) == 0.0  # longer answer is not an exact match
    assert exact_match("2,000,000", ["2000000"]) == 1.0
    assert exact_match("anything", []) == 0.0


def test_single_string_reference_is_one_reference() -> None:
    # A bare string must not be split into characters: "p" would otherwise match "Paris".
    assert exact_match("p", "Paris") == 0.0
    assert exact_match("paris", "Paris") == 1.0


def test_contains_answer_needs_whole_tokens() -> None:
    assert contains_answer("It was founded in 1998.", ["1998"]) == 1.0
    assert contains_answer("It was founded in 19980.", ["1998"]) == 0.0
    assert contains_answer("I live in New York City", ["new york"]) == 1.0
    assert contains_answer("York, New Jersey", ["new york"]) == 0.0  # order matters: a contiguous run
    assert contains_answer("the answer", ["", "the"]) == 0.0  # references that normalize to nothing
    assert contains_answer("Berlin", ["Paris", "berlin"]) == 1.0


def test_token_f1() -> None:
    # pred tokens: cat sat on mat (4); ref: cat on mat (3); common 3
    # P = 3/4, R = 3/3, F1 = 2 * 0.75 * 1 / 1.75 = 6/7
    assert token_f1("The cat sat on the mat", ["dog", "cat on mat"]) == pytest.approx(6 / 7)
    # Both sides normalize to nothing: SQuAD convention is 1; one side empty gives 0.
    assert token_f1("the", ["a"]) == 1.0
    assert token_f1("", ["cat"]) == 0.0
    assert token_f1("dog", ["cat"]) == 0.0


def test_token_recall_counts_multisets() -> None:
    # ref tokens: red red red green (4); pred has red twice -> overlap min(2, 3) = 2 red, 0 green
    # recall = 2 / 4 = 0.5; the second reference "blue" is fully present -> max = 1.0
    assert token_recall("red red blue", ["red red red green"]) == pytest.approx(0.5)
    assert token_recall("red red blue", ["red red red green", "blue"]) == 1.0
    assert token_recall("nothing here", ["cat"]) == 0.0


def test_rouge_l_recall_and_f1() -> None:
    # pred: the cat sat on the mat; ref: the cat was on a mat (rouge-score keeps articles)
    # LCS = the cat on mat = 4 tokens; recall = 4 / 6 = 2/3
    assert rouge_l_recall("the cat sat on the mat", ["xyz", "the cat was on a mat"]) == pytest.approx(2 / 3)
    # pred a b c d, ref a b: LCS 2, P = 2/4, R = 2/2, F = 2 * 0.5 * 1 / 1.5 = 2/3
    assert rouge_l_f1("a b c d", "a b") == pytest.approx(2 / 3)
    assert rouge_l_f1("", "a b") == 0.0


def _fake_encoder(calls: list[list[str]]):
    table = {"x": [1.0, 0.0], "y": [0.0, 2.0], "z": [3.0, 4.0], "zero": [0.0, 0.0]}

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([table[t] for t in texts])

    return encode


def test_embedding_similarity_is_pairwise_cosine() -> None:
    calls: list[list[str]] = []
    sims = embedding_similarity(["x", "z", "x", "zero"], ["y", "x", "x", "x"], _fake_encoder(calls))
    # (1,0).(0,2) = 0; (3,4)/5 . (1,0) = 0.6; x with itself = 1; zero vector -> 0 by convention
    np.testing.assert_allclose(sims, [0.0, 0.6, 1.0, 0.0])
    assert len(calls) == 1  # one encode call for all texts
    assert embedding_similarity([], [], _fake_encoder(calls)).shape == (0,)
    with pytest.raises(ValueError, match="predictions"):
        embedding_similarity(["x"], [], _fake_encoder(calls))


def test_score_answer_for_a_sentence_answer() -> None:
    scores = score_answer("It was founded in 1998.", ["1998"])
    # pred tokens: it was founded in 1998 (5), ref: 1998 (1)
    # em 0, contains 1, F1: P = 1/5, R = 1 -> 2 * 0.2 / 1.2 = 1/3, token recall 1, ROUGE-L recall 1/1
    assert scores == pytest.approx(
        {"em": 0.0, "contains": 1.0, "f1": 1 / 3, "token_recall": 1.0, "rouge_l_recall": 1.0}
    )


def test_set_scores() -> None:
    # pred set {paris, london, rome} (duplicate "paris" and article dropped), gold {paris, london, berlin}
    # hits 2 -> P = 2/3, R = 2/3, F1 = 2/3
    p, r, f = set_scores(["Paris", "the London", "Rome", "paris"], ["paris", "london", "Berlin"])
    assert (p, r, f) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    # pred {a1} vs gold {a1, b2}: P = 1, R = 1/2, F1 = 2 * 0.5 / 1.5 = 2/3
    assert set_scores(["a1"], ["a1", "b2"]) == pytest.approx((1.0, 0.5, 2 / 3))
    assert set_scores([], []) == (1.0, 1.0, 1.0)
    assert set_scores([], ["x"]) == (0.0, 0.0, 0.0)
    assert set_scores(["x"], []) == (0.0, 0.0, 0.0)
    assert set_scores(["x"], ["y"]) == (0.0, 0.0, 0.0)


def test_jaccard_of_token_sets() -> None:
    assert jaccard(["notice", "of", "30"], ["30", "days", "notice", "notice"]) == pytest.approx(2 / 4)
    assert jaccard([], []) == 0.0 and jaccard([], [], both_empty=1.0) == 1.0
