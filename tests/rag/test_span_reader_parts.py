"""The span reader's parts (lab 4b): training windows and targets, dev split, clause selection."""

from __future__ import annotations

import dataclasses

import pytest

from domainllm.corpus.records import Document, Evidence, Question
from domainllm.rag.chunking import Chunk
from domainllm.rag.readers.clauses import bm25_scores, pick_within
from domainllm.rag.readers.extractive import RANK_PENALTY, SENTENCE_WEIGHT, ExtractiveReader
from domainllm.rag.readers.span_model import SpanGuess, Window, best_span
from domainllm.rag.readers.span_training import SpanRecipe, _token_targets, single_document, span_examples

TEXT = (
    "1.1 The Supplier shall deliver the goods. 1.2 Invoices are payable within thirty (30) days of receipt. "
    "1.3 This Agreement is governed by the laws of the State of Ohio. 1.4 Notices must be in writing."
)


def _question(i: int, answer: str = "30 days", aliases: tuple[str, ...] = ("thirty (30) days",)) -> Question:
    start = TEXT.index("1.2")
    end = TEXT.index("1.3") - 1
    return Question(
        f"q{i}",
        "When are invoices payable?",
        answer,
        aliases,
        (Evidence("D", start, end),),
        "payment_terms",
        "train",
        "T",
    )


def test_examples_carry_value_and_clause_targets_and_negatives() -> None:
    document = Document("D", "t", "supply", ("A", "B"), "2020-01-01", TEXT)
    examples = span_examples([_question(0)], [document], SpanRecipe(negatives=1.0))
    positive, negative = examples
    assert positive.context[slice(*positive.value)] == "thirty (30) days"
    assert positive.context[slice(*positive.clause)].startswith("1.2 Invoices")
    assert negative.value is None and negative.clause is None and "thirty" not in negative.context


def test_each_contract_is_split_into_sentences_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Splitting is the slow part (pysbd): an ExtractiveReader builds these examples to name its model."""
    from domainllm.rag.readers import span_training

    split: list[str] = []
    real = span_training.sentence_spans
    monkeypatch.setattr(span_training, "sentence_spans", lambda text: split.append(text) or real(text))
    document = Document("D", "t", "supply", ("A", "B"), "2020-01-01", TEXT)
    examples = span_examples([_question(i) for i in range(5)], [document], SpanRecipe(negatives=0.0))
    assert len(examples) == 5 and split == [TEXT]


def test_token_targets_inside_outside_and_partly_inside() -> None:
    window = Window(
        0,
        [101, 7, 102, 11, 12, 13, 102],
        [0, 0, 0, 1, 1, 1, 1],
        [None, None, None, (0, 4), (5, 9), (10, 14), None],
    )
    assert _token_targets(window, (5, 14)) == (4, 5)
    assert _token_targets(window, None) == (0, 0)
    assert _token_targets(window, (20, 30)) == (0, 0)  # after the window: "not here"
    assert _token_targets(window, (10, 30)) == (-100, -100)  # partly inside: no target


def test_only_single_document_questions_train_the_span_reader() -> None:
    one = _question(1)
    two = dataclasses.replace(one, id="q-2", evidence=(*one.evidence, Evidence("OTHER-1", 0, 5)))
    assert single_document([one, two]) == [one]


def test_best_span_stays_inside_the_passage_and_beats_no_answer() -> None:
    window = Window(
        0,
        [101, 7, 102, 11, 12, 13, 102],
        [0, 0, 0, 1, 1, 1, 1],
        [None, None, None, (0, 4), (5, 9), (10, 14), None],
    )
    start = [0.0, 9.0, 0.0, 1.0, 5.0, 0.0, 0.0]  # the question token (9.0) is never a start
    end = [0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 9.0]
    guess = best_span(window, start, end, max_tokens=24)
    assert (guess.start, guess.end) == (5, 14) and guess.score == pytest.approx(9.0)
    assert best_span(window, start, end, max_tokens=1).end == 9  # spans of one token only


def test_clauses_are_picked_best_first_within_the_budget() -> None:
    lengths = [100, 300, 50, 200]
    assert pick_within(lengths, [1, 0, 3, 2], max_chars=400) == [1, 2]  # 300 + 50 fit; 100 and 200 do not
    assert pick_within(lengths, [3, 1], max_chars=100) == [3]  # the best always comes back
    assert pick_within(lengths, [], max_chars=100) == []


def test_bm25_prefers_sentences_with_the_rarer_question_words() -> None:
    scores = bm25_scores("Which laws govern?", ["The laws of Ohio govern.", "Invoices are payable."], TEXT)
    assert scores[0] > scores[1] == 0.0


class FixedScores(ExtractiveReader):
    """The extractive reader's selection rule over given span scores (the span model is tested above)."""

    def __init__(self, guesses: list[SpanGuess], **options: float) -> None:
        super().__init__(**options)
        self.fixed = guesses

    def guesses(self, question: Question, sources: object, top: int = 1) -> list[SpanGuess]:
        return sorted(self.fixed, key=lambda g: -g.score)[:top]


def test_a_value_in_a_lower_ranked_passage_must_outscore_the_first_by_the_rank_penalty() -> None:
    texts = ["Either party may cure a breach within 30 days.", "The Agreement runs for 90 days after notice."]
    passages = [Chunk(f"c{i}", "D", 100 * i, 100 * i + len(t), t) for i, t in enumerate(texts)]
    question = dataclasses.replace(_question(1), question="How long is the cure period?")
    first, third = SpanGuess(0, 38, 45, 4.0), SpanGuess(1, 23, 30, 5.5)
    rank_only = {"sentence_weight": 0.0, "type_weight": 0.0}
    assert (
        FixedScores([first, third], rank_penalty=0.0, **rank_only).read_one(question, passages).answer
        == "90 days"
    )
    assert (
        FixedScores([first, third], **rank_only).read_one(question, passages).answer == "30 days"
    )  # 5.5 - 3 < 4
    assert (
        FixedScores([first, SpanGuess(1, 23, 30, 7.5)], **rank_only).read_one(question, passages).answer
        == "90 days"
    )
    assert (
        FixedScores([first], rank_penalty=RANK_PENALTY, **rank_only).read_one(question, passages).citation
        == 1
    )


def test_a_value_whose_sentence_matches_the_question_wins_a_close_call() -> None:
    text = (
        "4.1 This Agreement takes effect on 7 May 2023. 4.2 This Agreement shall expire on 6 May 2026, "
        "unless renewed."
    )
    passages = [Chunk("c0", "D", 0, len(text), text)]
    question = dataclasses.replace(_question(1), question="On what date does the agreement expire?")
    effective, expiry = text.index("7 May 2023"), text.index("6 May 2026")
    guesses = [SpanGuess(0, effective, effective + 10, 6.0), SpanGuess(0, expiry, expiry + 10, 5.5)]
    no_types = {"type_weight": 0.0}
    assert (
        FixedScores(guesses, sentence_weight=0.0, **no_types).read_one(question, passages).answer
        == "7 May 2023"
    )
    assert (
        FixedScores(guesses, sentence_weight=SENTENCE_WEIGHT, **no_types).read_one(question, passages).answer
        == "6 May 2026"
    )


@pytest.mark.slow
def test_training_runs_in_a_child_process_and_leaves_weights(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    from domainllm.rag.readers.span_training import WEIGHTS, train_in_child
    from domainllm.runtime.models import embedder_source

    document = Document("D", "t", "supply", ("A", "B"), "2020-01-01", TEXT)
    examples = span_examples([_question(i) for i in range(4)], [document], SpanRecipe(negatives=1.0))
    report = train_in_child(
        embedder_source(), examples, SpanRecipe(epochs=1.0, batch_size=4), Path(str(tmp_path))
    )
    assert report["steps"] == 2 and len(report["losses"]) == 2
    assert (Path(str(tmp_path)) / WEIGHTS).stat().st_size > 1_000_000
    shown = capsys.readouterr().err  # the child's steps, shown by the parent's progress bar
    assert "training the span reader" in shown and "2/2" in shown


def test_the_reader_identity_names_weights_not_the_folder_they_sit_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from domainllm.runtime import models

    reader = FixedScores([])
    reader._trained = type("Trained", (), {"digest": "d"})()
    before = reader.identity()
    monkeypatch.setattr(models, "shipped_embedder_path", lambda: "/elsewhere/site-packages/minilm")
    assert reader.identity() == before and models.EMBEDDER_SHA256 in str(before)
