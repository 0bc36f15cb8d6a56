"""Judges: lexical support, the LLM judge's batching, scores and cache (with a fake model), agreement."""

from __future__ import annotations

import math

import pytest
import torch

from domainllm.cache.records import JsonDiskCache
from domainllm.corpus.support import answer_support, canonical_tokens, words_to_number
from domainllm.finetune.judge import (
    KEEP,
    PREFERENCE_LABELS,
    REJECT,
    Grade,
    LexicalJudge,
    LLMJudge,
    default_method,
    judge_agreement,
    preference,
)

PASSAGE = (
    "3.2 The Buyer shall pay each invoice within ninety days of receipt. 3.3 Late payments carry "
    "interest. This Agreement is governed by the laws of the State of Ohio. It is dated as of "
    "the 2nd day of October, 2021. Liability is capped at US$2,000,000."
)


# ---------------------------------------------------------------- normalization and support


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("thirty", 30),
        ("forty-five", 45),
        ("one hundred and twenty", 120),
        ("two hundred and fifty thousand", 250000),
    ],
)
def test_number_words_are_read_as_numbers(words: str, value: int) -> None:
    assert words_to_number(words) == value


def test_dates_money_and_numbers_have_one_canonical_form() -> None:
    same_date = ["October 2, 2021", "2 October 2021", "the 2nd day of October, 2021", "2021-10-02"]
    assert {tuple(canonical_tokens(d)) for d in same_date} == {("20211002",)}
    assert canonical_tokens("thirty (30) days") == ["30", "30", "day"]
    assert canonical_tokens("US$2,000,000") == canonical_tokens("USD 2,000,000") == ["usd", "2000000"]
    assert canonical_tokens("50 per cent") == canonical_tokens("50%") == ["50", "percent"]


def test_answer_support_finds_values_written_another_way() -> None:
    found = answer_support("90 days", PASSAGE)
    assert found.share == 1.0 and found.verbatim and not found.missing
    assert answer_support("October 2, 2021", PASSAGE).verbatim
    assert answer_support("USD 2,000,000", PASSAGE).verbatim
    wrong = answer_support("45 days", PASSAGE)
    assert wrong.missing_numbers == ("45",) and wrong.share == 0.5
    assert answer_support("Ohio law", PASSAGE).share == 1.0  # "laws" folds to "law"
    assert answer_support("the governing law", PASSAGE, "What is the governing law?").restates


# ---------------------------------------------------------------- lexical judge


def test_lexical_judge_keeps_supported_and_rejects_the_rest() -> None:
    judge = LexicalJudge()
    items = [
        ("When must invoices be paid?", "90 days", PASSAGE),
        ("When must invoices be paid?", "45 days", PASSAGE),
        ("Which law governs it?", "Texas", PASSAGE),
        ("What is the governing law?", "governing law", PASSAGE),
        ("When must invoices be paid?", "  ", PASSAGE),
    ]
    verdicts = judge.grade_many(items)
    assert [v.label for v in verdicts] == [KEEP, REJECT, REJECT, REJECT, REJECT]
    assert verdicts[0].score == 1.0 and verdicts[0].reason == "answer appears in the evidence"
    assert verdicts[1].reason == "number not in the evidence: 45"
    assert verdicts[2].reason == "words not in the evidence: texas" and verdicts[2].score == 0.0
    assert verdicts[3].reason == "answer only repeats the question"
    assert verdicts[4].reason == "empty answer"
    assert judge.grade(*items[0]) == verdicts[0]


def test_lexical_judge_cannot_see_a_wrong_value_that_is_in_the_passage() -> None:
    # The passage states the payment period; asked for the liability cap it is still "supported".
    assert LexicalJudge().grade("What is the liability cap?", "90 days", PASSAGE).keep


def test_min_share_is_checked() -> None:
    with pytest.raises(ValueError, match="min_share"):
        LexicalJudge(min_share=0)


# ---------------------------------------------------------------- preferences


def _v(label: str, score: float) -> Grade:
    return Grade(score, label, "")


def test_preference_uses_all_four_labels() -> None:
    assert preference(_v(REJECT, 0.2), _v(REJECT, 0.9)) == "both_wrong"
    assert preference(_v(KEEP, 0.1), _v(REJECT, 0.9)) == "A"
    assert preference(_v(REJECT, 0.9), _v(KEEP, 0.1)) == "B"
    assert preference(_v(KEEP, 0.5), _v(KEEP, 0.9)) == "B"
    assert preference(_v(KEEP, 0.100), _v(KEEP, 0.104)) == "tie"  # within 5% of the higher score
    assert preference(_v(KEEP, 0.010), _v(KEEP, 0.020)) == "B"  # small scores still compare
    assert set(PREFERENCE_LABELS) == {"A", "B", "tie", "both_wrong"}


def test_lexical_prefer_picks_the_supported_answer() -> None:
    judge = LexicalJudge()
    assert judge.prefer("When must invoices be paid?", PASSAGE, "45 days", "90 days") == "B"
    assert judge.prefer("When must invoices be paid?", PASSAGE, "90 days", "ninety days") == "tie"
    assert judge.prefer("When must invoices be paid?", PASSAGE, "45 days", "60 days") == "both_wrong"


# ---------------------------------------------------------------- LLM judge with a fake model


class FakeTokenizer:
    """Word-level tokenizer with a growing vocabulary; ids 0 and 1 are padding and end of turn."""

    pad_token_id = 0
    eos_token_id = 1

    def __init__(self) -> None:
        self.vocab = {"<pad>": 0, "<end>": 1}

    def _id(self, word: str) -> int:
        return self.vocab.setdefault(word, len(self.vocab))

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": [self._id(word) for word in text.split()]}

    def decode(self, ids: list[int]) -> str:
        words = {i: w for w, i in self.vocab.items()}
        return " ".join(words[i] for i in ids)


VOCAB = 1000


class FakeModel:
    """Uniform next-token logits, except that "yes" gets logit +10 when GOOD occurs twice in the input."""

    device = "cpu"

    def __init__(self, tokenizer: FakeTokenizer) -> None:
        self.tokenizer = tokenizer
        self.calls = 0

    def __call__(self, input_ids, attention_mask, logits_to_keep):
        self.calls += 1
        logits = torch.zeros((input_ids.shape[0], logits_to_keep, VOCAB))
        good = self.tokenizer._id("GOOD")
        for row in range(input_ids.shape[0]):
            if int((input_ids[row] == good).sum()) >= 2:
                logits[row, :, self.tokenizer._id("yes")] = 10.0
        return type("Output", (), {"logits": logits})()


class FakeGenerator:
    def __init__(self) -> None:
        self.tokenizer = FakeTokenizer()
        for word in ("yes", "Yes", "no", "No", "GOOD"):
            self.tokenizer._id(word)
        self.model = FakeModel(self.tokenizer)

    def chat_prompt(self, messages, system=None) -> str:
        return " ".join(m["content"] for m in messages)


def test_likelihood_is_the_geometric_mean_token_probability(tmp_path) -> None:
    generator = FakeGenerator()
    judge = LLMJudge(generator, method="likelihood", cache=JsonDiskCache("t", tmp_path))
    scores = judge.model_scores([("q", "ninety days", "p"), ("q", "ninety", "p")])
    assert scores == pytest.approx([1 / VOCAB, 1 / VOCAB])  # uniform logits: every token has 1/1000


def test_yes_no_score_is_p_yes_over_p_yes_plus_no(tmp_path) -> None:
    generator = FakeGenerator()
    judge = LLMJudge(generator, method="yes_no", use_gate=False, cache=JsonDiskCache("t", tmp_path))
    good, bad = judge.model_scores([("q", "GOOD", "p GOOD"), ("q", "bad", "p")])
    assert bad == pytest.approx(3 / 6)  # yes, Yes, YES against no, No, NO: all equally likely
    e = math.exp(10)
    assert good == pytest.approx((e + 2) / (e + 2 + 3))


def test_llm_judge_gates_then_thresholds_and_caches(tmp_path) -> None:
    generator = FakeGenerator()
    cache = JsonDiskCache("t", tmp_path)
    judge = LLMJudge(generator, method="yes_no", threshold=0.6, cache=cache, batch_size=2)
    passage = "the answer is GOOD here and bad there"
    items = [("q", "GOOD", passage), ("q", "bad", passage), ("q", "absent", passage)]
    verdicts = judge.grade_many(items)
    assert [v.label for v in verdicts] == [KEEP, REJECT, REJECT]
    assert verdicts[0].reason == "answer appears in the evidence; model 1.00"
    assert verdicts[1].reason == "model 0.50 < 0.60" and verdicts[1].score == pytest.approx(0.5)
    assert verdicts[2].reason == "words not in the evidence: absent"  # the gate: no model call for it
    assert verdicts[0].details["support"] == 1.0 and verdicts[0].details["model"] > 0.99
    calls = generator.model.calls
    assert calls == 1  # two gated items fit one batch of two
    again = LLMJudge(generator, method="yes_no", threshold=0.6, cache=JsonDiskCache("t", tmp_path))
    again = again.grade_many(items)
    assert again == verdicts and generator.model.calls == calls  # all from the disk cache


def test_llm_judge_default_threshold_never_vetoes_with_likelihood(tmp_path) -> None:
    judge = LLMJudge(FakeGenerator(), method="likelihood", cache=JsonDiskCache("t", tmp_path))
    verdict = judge.grade("q", "ninety days", "pay within ninety days")
    assert verdict.keep and verdict.score == pytest.approx(1 / VOCAB)
    assert judge.prefer("q", "pay within ninety days", "ninety days", "forty days") == "A"


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown judging method"):
        LLMJudge(FakeGenerator(), method="vibes")


def test_default_method_depends_on_the_model() -> None:
    assert default_method("smollm2-135m-instruct") == "likelihood"
    assert default_method("HuggingFaceTB/SmolLM2-1.7B-Instruct") == "yes_no"


# ---------------------------------------------------------------- agreement


def test_judge_agreement_counts_and_shares() -> None:
    kept = [True, True, False, False, True]
    correct = [True, False, False, True, True]
    result = judge_agreement(kept, correct)
    assert result.confusion == {
        "right, kept": 2,
        "right, rejected": 1,
        "wrong, kept": 1,
        "wrong, rejected": 1,
    }
    assert result.n == 5 and result.accuracy.mean == pytest.approx(3 / 5)
    assert result.precision.mean == pytest.approx(2 / 3)
    assert result.recall.mean == pytest.approx(2 / 3)
    assert result.rejection.mean == pytest.approx(1 / 2)
    only_right = judge_agreement([True], [True])
    assert only_right.rejection is None and only_right.accuracy.mean == 1.0
    with pytest.raises(ValueError):
        judge_agreement([True], [True, False])
