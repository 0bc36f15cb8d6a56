"""The pieces labs 7, 7b and 8 build in the page, and the helpers that format what they show."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
from peft import LoraConfig

from domainllm.corpus.questions import Evidence, Question
from domainllm.finetune import finetuned, preferences, retriever_training, sft
from domainllm.finetune.adapters import ALL_LINEAR, LoraSettings, TrainingRun, data_fingerprint
from domainllm.finetune.feedback import CandidatePair, Label
from domainllm.finetune.preferences import ChangedAnswers, changed_in_all, preference_rows, win_rates
from domainllm.finetune.sft import CLOSED_BOOK_SFT, RAFT_SFT, token_labels

BLOCKS = 30


def lora_config(**changes: object) -> LoraConfig:
    """The LoRA config lab 7 builds for closed-book SFT (top 6 of 30 blocks), with ``changes``."""
    options = {
        "r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.05,
        "target_modules": ["down_proj", "up_proj", "gate_proj", "o_proj", "v_proj", "k_proj", "q_proj"],
        "layers_to_transform": list(range(BLOCKS - 6, BLOCKS)),
        "layers_pattern": "layers",
        "task_type": "CAUSAL_LM",
        **changes,
    }
    return LoraConfig(**options)


def test_a_peft_config_gives_the_settings_and_so_the_cache_key_of_the_book_recipe() -> None:
    settings = LoraSettings.from_peft(lora_config(), BLOCKS)
    assert settings == CLOSED_BOOK_SFT.lora  # module order does not matter
    assert settings.target_modules == ALL_LINEAR  # ... and the hash sees the book's order
    top_12 = LoraSettings.from_peft(lora_config(layers_to_transform=list(range(18, 30))), BLOCKS)
    assert top_12 == RAFT_SFT.lora
    every_block = LoraSettings.from_peft(lora_config(layers_to_transform=None, layers_pattern=None), BLOCKS)
    assert every_block.top_layers is None
    assert settings.to_peft(BLOCKS) == lora_config()


@pytest.mark.parametrize(
    "changes",
    [
        {"layers_to_transform": [0, 1, 2]},  # the bottom blocks, not the top ones
        {"use_dora": True},  # an option the settings have no field for
        {"layers_pattern": None},
        {"bias": "all"},
    ],
)
def test_a_config_the_settings_cannot_describe_is_refused(changes: dict) -> None:
    with pytest.raises(ValueError, match="cannot describe"):
        LoraSettings.from_peft(lora_config(**changes), BLOCKS)


def test_with_lora_changes_only_the_adapter_and_the_run_hash_follows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sft, "generator_blocks", lambda settings=None: BLOCKS)
    assert CLOSED_BOOK_SFT.with_lora(lora_config()) == CLOSED_BOOK_SFT
    smaller = CLOSED_BOOK_SFT.with_lora(lora_config(r=8))
    assert smaller == dataclasses.replace(CLOSED_BOOK_SFT, lora=LoraSettings(r=8))
    run = TrainingRun("sft", "sft", data_fingerprint([]), lora=CLOSED_BOOK_SFT.lora)
    assert dataclasses.replace(run, lora=smaller.lora).digest() != run.digest()


class CharTokenizer:
    def decode(self, ids: list[int]) -> str:
        return "".join(chr(i) for i in ids)


def test_token_labels_marks_the_tokens_the_loss_counts() -> None:
    ids = [ord(c) for c in "Q?A!"]
    table = token_labels(CharTokenizer(), ids, [-100, -100, ids[2], ids[3]])
    assert list(table["token"]) == ["Q", "?", "A", "!"]
    assert list(table["in the loss"]) == [False, False, True, True]
    assert list(table["label"]) == [-100, -100, ord("A"), ord("!")]


def _question(qid: str = "train-1", answer: str = "30 days") -> Question:
    return Question(
        qid, "Cure period in NDA-7?", answer, ("thirty days",), (Evidence("NDA-7", 0, 9),), "c", "train", "t"
    )


def _target(text: str, qid: str) -> dict:
    return {"prompt": [], "completion": [{"role": "assistant", "content": text}], "id": qid}


def test_reworded_targets_are_those_that_keep_the_passages_words(monkeypatch: pytest.MonkeyPatch) -> None:
    questions = [_question("train-1"), _question("train-2"), _question("train-3")]
    monkeypatch.setattr(finetuned, "load_questions", lambda split: questions)
    texts = ["30 days [1]", "thirty days [2]", sft.NOT_IN_CONTEXT]
    examples = [_target(text, f"train-{i}") for i, text in enumerate(texts, start=1)]
    assert finetuned.reworded_targets(examples) == [("30 days", "thirty days [2]")]


def test_answers_side_by_side_puts_each_system_in_a_column() -> None:
    questions = [_question("train-1"), _question("train-2", "45 days")]
    table = finetuned.answers_side_by_side(
        questions,
        {"base": [{"answer": "a1"}, {"answer": "a2"}], "tuned": [{"answer": "b1"}, {"answer": "b2"}]},
    )
    assert list(table.columns) == ["question", "gold", "base", "tuned"]
    assert list(table["gold"]) == ["30 days", "45 days"] and list(table["tuned"]) == ["b1", "b2"]
    with pytest.raises(ValueError):
        finetuned.answers_side_by_side(questions, {"base": [{"answer": "a1"}]})


def _label(kind: str, qid: str, corrected: str = "", labeller: str = "ai") -> Label:
    pair = CandidatePair(qid, f"Question {qid}?", "evidence", ({"role": "user", "content": "q"},), "A1", "B1")
    return Label(pair, kind, labeller, corrected=corrected)


def test_preference_rows_show_what_each_kind_of_label_gives() -> None:
    labels = [
        _label("A", "1", labeller="human"),
        _label("A", "2"),  # a second "A": left out with per_kind=1
        _label("B", "3"),
        _label("tie", "4"),
        _label("both_wrong", "5", corrected="30 days [1]"),
        _label("both_wrong", "6"),
    ]
    table = preference_rows(labels)
    assert list(table["label"]) == ["A", "B", "tie", *["both_wrong"] * 3]
    assert list(table["by"]) == ["human", *["ai"] * 5]
    assert list(zip(table["chosen"], table["rejected"], strict=True)) == [
        ("A1", "B1"),
        ("B1", "A1"),
        ("-", "-"),  # a tie gives no example
        ("30 days [1]", "A1"),  # the correction over each answer
        ("30 days [1]", "B1"),
        ("-", "-"),  # both wrong without a correction gives none
    ]
    assert len(preference_rows(labels, per_kind=2)) == len(table) + 1


class ScriptedJudge:
    def __init__(self, verdicts: list[str]) -> None:
        self.verdicts = verdicts
        self.calls: list[list[tuple]] = []

    def prefer_many(self, pairs: list[tuple]) -> list[str]:
        self.calls.append(list(pairs))
        return self.verdicts[: len(pairs)]


def test_win_rates_count_changes_and_score_the_new_answers_by_judge_and_gold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import domainllm.corpus.documents as documents

    monkeypatch.setattr(documents, "load_corpus", lambda: [])
    monkeypatch.setattr(preferences, "evidence_text", lambda question, docs: f"evidence of {question.id}")
    questions = {"test": [_question("t-1"), _question("t-2")]}
    before = {
        "test": {"answers": [{"answer": "30 days"}, {"answer": "x"}], "per_question": {"f1": [1.0, 0.0]}}
    }
    after = {
        "test": {"answers": [{"answer": "30 days "}, {"answer": "y"}], "per_question": {"f1": [1.0, 1.0]}}
    }
    judge = ScriptedJudge(["tie", "B"])
    rows = win_rates(judge, questions, before, after)
    assert str(rows["test"]["answers changed"]) == "1 of 2"  # whitespace alone is no change
    assert changed_in_all({"a": rows["test"], "b": rows["test"]}) == ChangedAnswers(2, 4)
    assert rows["test"]["win rate (judge)"].mean == pytest.approx(0.75)
    assert rows["test"]["win rate (gold F1)"].mean == pytest.approx(0.75)
    assert judge.calls == [
        [
            ("Cure period in NDA-7?", "evidence of t-1", "30 days", "30 days "),
            ("Cure period in NDA-7?", "evidence of t-2", "x", "y"),
        ]
    ]


def test_the_default_loss_leaves_the_retriever_cache_key_as_it_was() -> None:
    pairs = [("q", "p", "n")]
    recipe = retriever_training.RetrieverRecipe()
    plain = retriever_training._folder(pairs, recipe, "model", 30)
    assert retriever_training._folder(pairs, recipe, "model", 30, None) == plain
    other = retriever_training._folder(
        pairs, recipe, "model", 30, {"class": "TripletLoss", "triplet_margin": 5}
    )
    assert other != plain and other.parent == plain.parent


def test_section_retrievers_close_each_index_after_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []

    class Index:
        def __init__(self, encoder: object) -> None:
            self.name = "base" if encoder is None else str(encoder)
            events.append(f"build {self.name}")

        def close(self) -> None:
            events.append(f"close {self.name}")

    monkeypatch.setattr(retriever_training, "build_index", lambda recipe, encode=None: Index(encode))
    monkeypatch.setattr(
        retriever_training, "make_retriever", lambda kind, index: SimpleNamespace(kind=kind, index=index)
    )
    seen = []
    for name, kind, retriever in retriever_training.section_retrievers({"MiniLM": None, "tuned": "t"}):
        seen.append((name, kind, retriever.index.name))
        events.append(f"use {kind}")
    assert seen == [
        ("MiniLM", "dense", "base"),
        ("MiniLM", "hybrid", "base"),
        ("tuned", "dense", "t"),
        ("tuned", "hybrid", "t"),
    ]
    assert events == [
        "build base",
        "use dense",
        "use hybrid",
        "close base",
        "build t",
        "use dense",
        "use hybrid",
        "close t",
    ]


def test_retriever_training_refuses_a_loss_around_another_model() -> None:
    model = [SimpleNamespace(auto_model=SimpleNamespace(name_or_path="/models/other-model"))]
    loss = SimpleNamespace(model=model, get_config_dict=dict)
    with pytest.raises(ValueError, match="must wrap base_embedder"):
        retriever_training._custom_loss(loss, str(Path("/models/model")))
