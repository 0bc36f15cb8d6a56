"""Every lab: run on any corpus, or say why not and skip the rest of the lab.

A lab that chooses on ``dev``, trains on ``train`` or asks multi-document questions calls
:func:`lab_needs` before its first measurement. On a corpus with questions in every split it
needs (the generated portfolio) nothing happens. On one without (a CUAD file: its questions
are clause questions, all in ``test_paraphrase``) it prints why, and every later cell of the
notebook prints that it was skipped instead of running, so the whole notebook still runs to the
end, in Jupyter as in the book build or a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domainllm.corpus.documents import resolve_source
from domainllm.corpus.questions import load_questions

SKIPPED_CELL = "print('(skipped on this corpus: see the message at the top of the lab)')\n"


def missing_splits(*splits: str) -> list[str]:
    """The splits among ``splits`` that have no question on the corpus in force."""
    return [split for split in splits if not load_questions(split)]


def _skip_cell(lines: list[str]) -> list[str]:
    """An IPython input transformer that replaces a cell's code by a note that it was skipped."""
    return [SKIPPED_CELL]


def lab_needs(*splits: str, why: str, shell: Any = None) -> None:
    """Nothing when the corpus has questions in every split of ``splits``; else print why and skip the rest.

    ``why`` says what the lab does with those questions. The skip lasts until the kernel is
    restarted (switch ``DOMAINLLM_CORPUS`` back, restart, run again). ``shell`` is the IPython
    shell (default: the running one; none outside IPython, where only the message is printed).
    """
    missing = missing_splits(*splits)
    if not missing:
        return
    source = resolve_source()
    print(
        f"The rest of this lab is skipped on the corpus {source.kind}:{source.path}: it {why}, and that corpus has "
        f"no {' and no '.join(missing)} questions. Run it on the book's own corpus (unset "
        "DOMAINLLM_CORPUS and restart the kernel); labs 1, 3 and 9 run on a CUAD file, and the CUAD "
        "sections of labs 4 and 4b read one through DOMAINLLM_CUAD_SAMPLE."
    )
    shell = shell if shell is not None else _running_shell()
    if shell is not None:
        transformers: list[Callable[[list[str]], list[str]]] = shell.input_transformers_cleanup
        if _skip_cell not in transformers:
            transformers.append(_skip_cell)


def _running_shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the book's requirements
        return None
    return get_ipython()
