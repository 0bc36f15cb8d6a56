"""Evaluation principles: a measured figure in the prose is glued from the run, never typed in.

The chapters and the labs' text may contain numbers that are settings or definitions (a 95%
interval, a 0.5 coin toss, a 1.3x target); those are listed below. Any other decimal, percentage
or duration in the prose must be a ``{glue:text}`` reference, except figures of the original
labs or of the literature, which carry a citation in the same section (a ``{cite:...}`` role).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIGURE = re.compile(
    r"(?<![\w.`/-])(\d+\.\d+|\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s+(?:minutes?|seconds?|hours?|ms)\b)"
)
# Numbers that are settings, definitions or targets, not measurements (figure -> why).
SETTINGS = {
    "95%": "the confidence level",
    "5%": "the significance level",
    "80%": "the power at which a detectable difference is stated",
    "0.5": "a coin toss / the judge's cut-off",
    "0.50": "chance, for a win rate",
    "1.3": "the token-F1 target (1.3x naive RAG)",
    "0.8": "the near-duplicate threshold (Jaccard)",
    "0.95": "the recall target",
    "0.10": "the RAFT gain target",
    "1.2": "an example clause number that does not end a sentence",
    "6.3": "an example clause number in an answer",
    "100%": "figure width",
    "90%": "figure width",
    "4.0": "the CC BY 4.0 licence",
}


def _sections() -> list[tuple[str, str]]:
    """(file, section text) for every markdown section of the labs and the English chapters."""
    texts = []
    for path in sorted((REPO / "labs").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts.append(
            (path.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"))
        )
    for path in [*sorted((REPO / "chapters").glob("*.md")), REPO / "intro.md"]:
        if not path.stem.endswith(("-sv", "-hi")):  # translations: checked against English elsewhere
            texts.append((path.name, path.read_text(encoding="utf-8")))
    sections = []
    for name, text in texts:
        text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)  # code cells and directives
        text = re.sub(r"\$[^$\n]*\$", " ", text)  # formulas
        text = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", text)  # links (DOIs, record numbers)
        sections += [(name, section) for section in re.split(r"\n(?=#+ )", text)]
    return sections


def typed_figures() -> list[str]:
    """Figures in the prose that are neither glued, nor settings, nor cited."""
    found = []
    for name, section in _sections():
        if "{cite" in section:
            continue  # figures of the original labs or of the literature, with their source
        prose = re.sub(r"\{glue:[a-z]+\}`[^`]*`", " ", section)
        prose = re.sub(r"`[^`]*`", " ", prose)  # inline code: settings, commands
        for match in FIGURE.finditer(prose):
            figure = match.group(1).replace(" ", "")
            if figure in SETTINGS or re.sub(r"[a-z]+$", "", figure) in SETTINGS:
                continue
            line = prose[max(0, match.start() - 60) : match.end() + 30].replace("\n", " ")
            found.append(f"{name}: {figure!r} in ...{line}...")
    return found


def test_no_measured_figure_is_typed_into_the_prose() -> None:
    typed = typed_figures()
    assert not typed, (
        "Glue these figures from the run that measures them (or list a setting in SETTINGS, or cite "
        "the source of a historic figure in its section):\n" + "\n".join(typed)
    )


def test_the_check_sees_a_typed_figure() -> None:
    assert FIGURE.search("the best pipeline reaches 0.83 in about 4 minutes")
    assert [m.group(1) for m in FIGURE.finditer("recall 0.83, 12% cheaper, 4 minutes")] == [
        "0.83",
        "12%",
        "4 minutes",
    ]
