"""Time the corpus generator: contracts per second at one or more scales.

Usage: python scripts/bench_corpus.py [--contracts 40 400 4000 40000] [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domainllm.corpus.portfolio.generate import generate_portfolio  # noqa: E402


def bench(contracts: int, out: Path, check: bool) -> None:
    """Generate ``contracts`` contracts into a fresh folder under ``out`` and print the rate."""
    target = out / f"corpus-{contracts}"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    result = generate_portfolio(target, contracts=contracts)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = (
        f"{contracts:>6} contracts  {result.amendments:>5} amendments  {seconds:7.2f} s  "
        f"{contracts / seconds:7.0f} contracts/s  peak RSS {peak_mib:,.0f} MiB"
    )
    if check:
        from domainllm.corpus.portfolio.checks import check_corpus

        started = time.perf_counter()
        report = check_corpus(target)
        line += f"  check {'ok' if report.ok else 'FAILED'} in {time.perf_counter() - started:.1f} s"
    print(line, flush=True)
    shutil.rmtree(target, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, nargs="+", default=[10_000])
    parser.add_argument("--out", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--check", action="store_true", help="also time 'corpus check'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as scratch:
        out = args.out or Path(scratch)
        for contracts in args.contracts:
            bench(contracts, out, args.check)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
