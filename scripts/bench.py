"""Print the book's speed and memory budgets and write them to _build/bench.json.

Measures, each in a fresh process: the first generator load including materialization (in an
empty temporary cache), a later load, and every lab's wall time and peak memory (the kernel's
peak resident set size, as the operating system reports it).

    python scripts/bench.py                 # all labs
    python scripts/bench.py labs/00-setup.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGETS = {  # lab -> (seconds, MiB), from the issues
    "00-setup": (120, 1536),
    "01-naive-rag": (300, 1536),
    "02-pre-retrieval": (300, 1536),
    "03-retrieval": (300, 1536),
    "04-post-retrieval": (300, 1536),
    "05-knowledge-graph": (300, 1536),
    "06-synthetic-data": (360, 2048),
    "07-sft": (360, 2048),
    "07b-retriever-tuning": (360, 2048),
}

LOAD = "import time; t = time.perf_counter(); from domainllm.models import load_generator; load_generator(); print(time.perf_counter() - t)"
RUN_LAB = """
import resource, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": "labs"}}).execute()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def timed_load(cache: str) -> float:
    """Seconds for one generator load in a fresh process using ``cache`` as the cache folder."""
    env = {**os.environ, "DOMAINLLM_CACHE": cache}
    done = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def run_lab(path: Path) -> tuple[float, float]:
    """Wall seconds and kernel peak memory (MiB) of one lab executed top to bottom."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN_LAB, str(path)], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{path.name} failed:\n{done.stderr[-3000:]}")
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="notebooks to time (default: every lab)")
    args = parser.parse_args()
    labs = [Path(p) for p in args.labs] or sorted((ROOT / "labs").glob("*.ipynb"))
    results: dict[str, object] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory() as cache:
        first, later = timed_load(cache), timed_load(cache)
    results["generator_load_s"] = {"first_with_materialization": first, "later": later}
    print(f"generator load: first {first:.1f} s (budget 60), later {later:.1f} s (budget 10)")
    results["labs"] = {}
    for lab in labs:
        seconds, mib = run_lab(lab)
        budget_s, budget_mib = BUDGETS.get(lab.stem, (None, None))
        results["labs"][lab.stem] = {
            "seconds": seconds,
            "peak_mib": mib,
            "budget_s": budget_s,
            "budget_mib": budget_mib,
        }
        verdict = (
            ""
            if budget_s is None
            else (" ok" if seconds <= budget_s and mib <= budget_mib else " OVER BUDGET")
        )
        print(
            f"{lab.stem:>20}: {seconds:6.1f} s, peak {mib:6.0f} MiB (budget {budget_s} s, {budget_mib} MiB){verdict}"
        )
    out = ROOT / "_build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
