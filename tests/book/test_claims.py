"""Claims the labs make about the library that a code change can silently make false."""

from __future__ import annotations

import json
import re

from domainllm.paths import REPO_ROOT


def _markdown(lab: str) -> str:
    notebook = json.loads((REPO_ROOT / "labs" / f"{lab}.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")


def test_lab06_says_whether_a_training_run_uses_the_synthetic_pairs() -> None:
    callers = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in (REPO_ROOT / "domainllm").rglob("*.py")
        if path.name not in ("synthetic_data.py", "__init__.py")
        and re.search(r"\btraining_pairs\(", path.read_text())
    ]
    prose = " ".join(_markdown("06-synthetic-data").split())
    if callers:  # some training code uses the pairs: lab 6 must not deny it
        assert "No training run of this book uses it" not in prose, callers
    else:
        assert "No training run of this book uses it" in prose
        assert "can train on these pairs" not in prose
