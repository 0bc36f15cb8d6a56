"""``python -m domainllm bench labs --save``: execute labs 1, 2, 4 and 5 at full size and commit their scores.

Each lab runs in a fresh kernel with :data:`~domainllm.benchmark.lab_results.RECORDING` naming a
temporary file; the lab answers :data:`~domainllm.benchmark.lab_results.FULL_LAB_QUESTIONS`
questions and writes its per-question scores there. This module adds the fingerprint, seed and
machine and merges the record into ``data/results/labs.json`` (see
:mod:`domainllm.benchmark.lab_results`).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domainllm.benchmark.lab_results import (
    LAB_RESULTS,
    LABS,
    RECORDING,
    estimate,
    lab_fingerprint,
    read_lab_results,
)
from domainllm.config import get_settings
from domainllm.files import atomic_write_text
from domainllm.paths import REPO_ROOT


def execute_recording(lab: str, timeout: int = 3600) -> dict[str, Any]:
    """Run one lab notebook in recording mode and return the scores it wrote."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(REPO_ROOT / LABS[lab], as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{lab}.json"
        previous = os.environ.get(RECORDING)
        os.environ[RECORDING] = str(target)
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": str(REPO_ROOT / "labs")}},
            )
            client.execute()
        finally:
            if previous is None:
                os.environ.pop(RECORDING, None)
            else:
                os.environ[RECORDING] = previous
        if not target.is_file() or "question_ids" not in json.loads(target.read_text(encoding="utf-8")):
            raise RuntimeError(f"{LABS[lab]} ran but recorded no scores (does it call scores.finish()?).")
        return json.loads(target.read_text(encoding="utf-8"))


def record_labs(labs: Sequence[str], save: bool, path: Path = LAB_RESULTS) -> dict[str, Any]:
    """Execute each lab at full size; with ``save``, merge the records into ``path``."""
    from domainllm.benchmark.machine import machine_info

    settings = get_settings()
    records = {}
    for lab in labs:
        started = time.perf_counter()
        scores = execute_recording(lab)
        records[lab] = {
            "fingerprint": lab_fingerprint(lab, settings),
            "seed": settings.seed,
            "seconds": round(time.perf_counter() - started, 1),
            "machine": machine_info(),
            **scores,
        }
    if save:
        merged = read_lab_results(path) | records
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(merged, indent=1) + "\n")
    return records


def summary_lines(records: dict[str, Any]) -> list[str]:
    """One line per lab, metric and variant: the full-size estimate."""
    lines = []
    for lab, record in records.items():
        lines.append(f"{lab}: {len(record['question_ids'])} questions, {record['seconds']:.0f} s")
        for metric, variants in record["scores"].items():
            for variant, values in variants.items():
                lines.append(f"  {metric:>15} {variant:<40} {estimate(metric, values)}")
        for part, entry in record.get("parts", {}).items():
            lines.append(f"  {part}: {len(entry['question_ids'])} questions")
            for metric, variants in entry["scores"].items():
                for variant, values in variants.items():
                    lines.append(f"  {metric:>15} {variant:<40} {estimate(metric, values)}")
    return lines
