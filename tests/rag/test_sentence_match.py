"""The sentence around a candidate answer, and its similarity to the question (lab 4b)."""

from __future__ import annotations

from domainllm.rag.readers.sentence_match import enclosing_sentence, sentence_similarities

TEXT = "4.1 The Initial Term ends on 2 July 2025. 4.2 Either party may end this Agreement on 30 days notice."


def test_enclosing_sentence_is_the_one_holding_the_position() -> None:
    assert enclosing_sentence(TEXT, TEXT.index("2 July")) == "4.1 The Initial Term ends on 2 July 2025."
    assert enclosing_sentence(TEXT, TEXT.index("30 days")).startswith("4.2 Either party")
    assert enclosing_sentence("", 0) == ""


def test_the_sentence_about_the_asked_topic_is_the_more_similar() -> None:
    first = enclosing_sentence(TEXT, 0)
    second = enclosing_sentence(TEXT, TEXT.index("30 days"))
    similarity = sentence_similarities(
        "How much notice ends the agreement without cause?", [first, second, first]
    )
    assert similarity[1] > similarity[0] == similarity[2]
    assert sentence_similarities("Anything?", []).shape == (0,)
