"""Evaluation principles: a verdict in the prose ("better", "not distinguishable") comes from a test.

Every sentence of a chapter or a lab's text that states a comparison must paste a verdict glued
from :func:`domainllm.metrics.verdict` or :func:`domainllm.metrics.floor_verdict` (a glue key with
``verdict`` in it). Sentences that cite literature pass; those that only explain a method or define a term are
listed below with the reason they are not measurements of this book.

After a book build, every glued ``verdict`` value is checked to have the helper's form.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VERDICT_WORDS = re.compile(
    r"\b(better than|worse than|outperforms?|beats?|significant(?:ly)?|not distinguishable|"
    r"indistinguishable|no detectable)\b",
    re.IGNORECASE,
)
GLUED_VERDICT = re.compile(r"\{glue:text\}`[^`]*verdict[^`]*`")
# Sentences that are not claims about this book's measurements (part of the sentence -> why).
NOT_MEASUREMENTS = {
    "Models read the start and end of a context better than its middle": "Liu et al.'s finding, cited",
    "It is the baseline everything must beat": "advice",
    "These verdicts come from a 135M model": "a caveat about the verdicts",
    "Read the interval, not the sign": "how to read an interval",
    "A small model trained for a few minutes is not guaranteed": "a caveat",
    "Knowledge injected by plain continued training": "literature, cited",
    "Asked anyway, the model guesses": "advice",
    "Nothing here is typed in by hand": "a statement about the page's method",
    "the systems that no other system beats on both quality": "defines the Pareto front",
    "When an interval straddles the target": "how the decision guide reads intervals",
    "Paired tests For each headline comparison": "explains the test",
    "Plainly: the lexical check": "explains a method",
    '"Not distinguishable" is a result': "explains the verdicts",
    '"The most accurate" has a winner only when': "the decision guide's rule (interval overlap)",
    "Often what we know is comparative": "explains preference data",
    "a paired test at the 5% level detects, with 80% power": "states the power (glued), not a verdict",
    "An approach is considered at all only when": "the decision guide's entry rule",
}
VERDICT_FORM = re.compile(
    r"^(better|worse|higher|lower) \([+-]\d|^not distinguishable at n = \d|^(above|below) \d|"
    r"^not distinguishable from \d|^undefined|^not measured"
)


def _texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted((REPO / "labs").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        texts += [
            (path.name, "".join(c["source"])) for c in notebook["cells"] if c["cell_type"] == "markdown"
        ]
    for path in [*sorted((REPO / "chapters").glob("*.md")), REPO / "intro.md"]:
        texts.append((path.name, path.read_text(encoding="utf-8")))
    return texts


def _sentences(text: str) -> list[str]:
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)  # code and figure directives
    text = re.sub(r"^#+ ", "", text, flags=re.MULTILINE)
    return [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*{(\"-])", text)]


def _unbacked_verdicts() -> list[str]:
    found = []
    for name, text in _texts():
        for sentence in _sentences(text):
            stripped = sentence.lstrip("-*# ")
            if not VERDICT_WORDS.search(sentence) or GLUED_VERDICT.search(sentence):
                continue
            if "{cite" in sentence or any(prefix in stripped for prefix in NOT_MEASUREMENTS):
                continue  # literature, or a sentence listed above
            found.append(f"{name}: {sentence[:160]}")
    return found


def test_every_verdict_in_the_prose_is_glued_from_the_helper() -> None:
    unbacked = _unbacked_verdicts()
    assert not unbacked, (
        "These sentences state a comparison without a glued verdict from domainllm.metrics.verdict "
        "(or floor_verdict); glue one, or list the sentence in NOT_MEASUREMENTS with the reason:\n"
        + "\n".join(unbacked)
    )


def test_the_check_catches_a_typed_verdict() -> None:
    assert VERDICT_WORDS.search("Hybrid search beats dense search at k = 5.")
    assert GLUED_VERDICT.search("Hybrid against dense: {glue:text}`lab03_hybrid_vs_dense_verdict`.")


@pytest.mark.skipif(
    not (REPO / "_build" / "jupyter_execute" / "labs").is_dir(), reason="needs a book build (make book)"
)
def test_every_glued_verdict_has_the_helpers_form() -> None:
    wrong = []
    for path in sorted((REPO / "_build" / "jupyter_execute" / "labs").glob("*.glue.json")):
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            if "verdict" not in key or "text/plain" not in entry.get("data", {}):
                continue
            value = entry["data"]["text/plain"].strip("'\"")
            if not VERDICT_FORM.search(value):
                wrong.append(f"{path.name}: {key} = {value[:100]}")
    assert not wrong, "Glued verdicts not made by domainllm.metrics.verdict/floor_verdict:\n" + "\n".join(
        wrong
    )
