"""Command line: ``python -m domainllm <group> <command>``.

Groups register themselves in ``COMMAND_GROUPS``; each adds its subcommands and sets ``func``
(a function taking the parsed arguments and returning an exit status). Heavy modules are imported
inside the command functions so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable

from domainllm.cli.arguments import check_json_output, non_negative_int, positive_int

# the labs ``bench labs`` records (domainllm.benchmark.lab_results.LABS; named here so that building
# the parser imports nothing heavy)
LAB_NAMES = ("lab01", "lab02", "lab04", "lab05")


def _corpus_generate(args: argparse.Namespace) -> int:
    from domainllm.corpus.portfolio.generate import generate_portfolio

    started = time.perf_counter()
    result = generate_portfolio(args.out, seed=args.seed, contracts=args.contracts, force=args.force)
    seconds = time.perf_counter() - started
    splits = ", ".join(f"{name} {count}" for name, count in result.questions.items())
    print(
        f"Wrote {result.contracts} contracts and {result.amendments} amendments ({result.facts} facts) "
        f"to {result.out} in {seconds:.1f} s ({result.contracts / seconds:.0f} contracts/s).\n"
        f"Questions: {splits}."
    )
    return 0


def _corpus_check(args: argparse.Namespace) -> int:
    from domainllm.corpus.portfolio.checks import check_corpus

    report = check_corpus(args.dir)
    print(report.render())
    return 0 if report.ok else 1


def add_corpus_commands(groups: argparse._SubParsersAction) -> None:
    """``corpus generate`` and ``corpus check``."""
    corpus = groups.add_parser("corpus", help="generate or check the contract portfolio")
    commands = corpus.add_subparsers(dest="command", required=True, metavar="COMMAND")
    generate = commands.add_parser("generate", help="write the seeded contract portfolio")
    generate.add_argument(
        "--out",
        required=True,
        help="output folder: new, empty, or holding an earlier generation (the book's own is data)",
    )
    generate.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    generate.add_argument(
        "--contracts", type=positive_int, default=48, help="number of contracts (default 48)"
    )
    generate.add_argument(
        "--force",
        action="store_true",
        help="write into a folder holding other files (they are kept, never deleted)",
    )
    generate.set_defaults(func=_corpus_generate)
    check = commands.add_parser("check", help="validate a corpus folder and its gold files")
    check.add_argument("dir", help="data folder holding corpus/, facts.jsonl and qa/")
    check.set_defaults(func=_corpus_check)


def _models_warm(args: argparse.Namespace) -> int:
    """Verify (and materialize) the configured generator and embedder; a model that is not the
    shipped one is loaded, so a wrong DOMAINLLM_GENERATOR or DOMAINLLM_EMBEDDER fails here."""
    from domainllm.config import SHIPPED_EMBEDDER, SHIPPED_GENERATOR, dtype_name, get_settings
    from domainllm.runtime.models import (
        check_device,
        checkpoint_sha256,
        load_embedder,
        load_generator,
        materialized_generator_dir,
    )

    started = time.perf_counter()
    settings = get_settings()
    check_device(settings)
    if settings.generator == SHIPPED_GENERATOR:
        folder = materialized_generator_dir(dtype_name(settings))
        generator = f"Generator checkpoint verified at {folder} (SHA-256 {checkpoint_sha256(folder)[:16]}...)"
    else:
        load_generator(settings)
        generator = f"Generator DOMAINLLM_GENERATOR={settings.generator!r} loaded"
    load_embedder(settings)
    embedder = (
        "embedder verified"
        if settings.embedder == SHIPPED_EMBEDDER
        else f"embedder DOMAINLLM_EMBEDDER={settings.embedder!r} loaded"
    )
    print(f"{generator}; {embedder} ({time.perf_counter() - started:.1f} s).")
    return 0


def add_model_commands(groups: argparse._SubParsersAction) -> None:
    """``models warm``: verify both models and materialize the generator once."""
    models = groups.add_parser("models", help="prepare the shipped models")
    commands = models.add_subparsers(dest="command", required=True, metavar="COMMAND")
    warm = commands.add_parser("warm", help="verify checksums and materialize the generator checkpoint")
    warm.set_defaults(func=_models_warm)


def _bench_rag(args: argparse.Namespace) -> int:
    import json

    from domainllm.benchmark.performance import Verdict
    from domainllm.benchmark.rag_runner import run_rag_benchmark
    from domainllm.benchmark.rag_targets import format_targets
    from domainllm.files import atomic_write_text

    check_json_output(args.json)
    result = run_rag_benchmark(args.split, names=args.pipelines, n=args.n)
    for name, report in result["pipelines"].items():
        shown = [m for m in ("accuracy", "em", "contains", "f1") if m in report["metrics"]]
        line = ", ".join(f"{m} {report['metrics'][m]['mean']:.3f}" for m in shown)
        retrieval = report.get("retrieval_all", {}).get("metrics", {}).get("recall@k")
        extra = (
            f", recall@{report['k']} {retrieval['mean']:.3f} (all {result['n_split']})" if retrieval else ""
        )
        print(f"{name:>14}: n={report['n']}, {line}{extra}, {report['seconds_per_answer']:.2f} s/answer")
    print("\nTargets of the RAG labs:")
    print(format_targets([Verdict(**v) for v in result["targets"]]))
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
        print(f"Wrote {args.json}")
    return 0


def _bench_all(args: argparse.Namespace) -> int:
    import json

    from domainllm.benchmark.benchmark_report import headline_metric
    from domainllm.benchmark.committed import run_full_benchmark, save_committed
    from domainllm.files import atomic_write_text

    check_json_output(args.json)
    record = run_full_benchmark(n=args.n, systems=args.systems)
    result = record["bench"]
    metric = headline_metric(result["results"])  # accuracy; span F1 on clause questions (CUAD)
    for name, splits in result["results"].items():
        cells = ", ".join(
            f"{split} {report['metrics'][metric]['mean']:.2f} [{report['metrics'][metric]['low']:.2f}, "
            f"{report['metrics'][metric]['high']:.2f}]"
            for split, report in splits.items()
        )
        print(f"{name:>15}: {metric} {cells}")
    for row in result["comparisons"]:
        print(f"{row['b']} vs {row['a']} on {row['split']}: {row['verdict_text']}")
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
        print(f"Wrote {args.json}")
    if args.save:
        print(
            f"Wrote {save_committed(record)} (commit it: lab 9 and lab 10 show it, the book build checks it)"
        )
    return 0


def _bench_labs(args: argparse.Namespace) -> int:
    from domainllm.benchmark.lab_recording import record_labs, summary_lines
    from domainllm.benchmark.lab_results import LAB_RESULTS

    records = record_labs(args.labs, save=args.save)
    print("\n".join(summary_lines(records)))
    if args.save:
        print(f"Wrote {LAB_RESULTS} (commit it: the labs show it, the book build checks it)")
    return 0


def add_bench_commands(groups: argparse._SubParsersAction) -> None:
    """``bench rag``: the RAG comparison the labs run, from the command line."""
    from domainllm.cli.multidoc import add_multidoc_command
    from domainllm.corpus.questions import SPLITS

    bench = groups.add_parser("bench", help="run the book's comparisons outside the notebooks")
    commands = bench.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rag = commands.add_parser("rag", help="closed-book, naive and advanced RAG on one split")
    rag.add_argument("--split", default="test_paraphrase", choices=SPLITS)
    rag.add_argument("--json", help="write the full results (metrics, intervals, answers) to this file")
    rag.add_argument("--n", type=positive_int, default=64, help="questions to answer (default 64)")
    rag.add_argument("--pipelines", nargs="+", help="subset of pipelines (default: all)")
    rag.set_defaults(func=_bench_rag)
    add_multidoc_command(commands)
    every = commands.add_parser("all", help="every system on every split (systems x splits x metrics)")
    every.add_argument("--json", help="write the full matrix (metrics, intervals, tokens, latency) here")
    every.add_argument("--systems", nargs="+", help="subset of systems (default: all seven)")
    every.add_argument("--n", type=positive_int, default=64, help="questions per split (default 64)")
    every.add_argument(
        "--save", action="store_true", help="write data/results/benchmark.json, the results the book shows"
    )
    every.set_defaults(func=_bench_all)
    labs = commands.add_parser("labs", help="labs 1, 2, 4 and 5 at full size (48 questions each)")
    labs.add_argument("--labs", nargs="+", choices=LAB_NAMES, default=list(LAB_NAMES))
    labs.add_argument(
        "--save", action="store_true", help="write data/results/labs.json, the results the labs show"
    )
    labs.set_defaults(func=_bench_labs)


COMMAND_GROUPS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_corpus_commands,
    add_model_commands,
    add_bench_commands,
]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered command group."""
    parser = argparse.ArgumentParser(prog="python -m domainllm", description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    for add_group in COMMAND_GROUPS:
        add_group(groups)
    return parser


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl-C does: ``finally`` blocks run (temporary indexes go)."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status.

    A known problem (bad setting, unreadable or unwritable file, corrupt model file, missing
    model wheel) prints one ``error:`` line naming what to fix and returns 2.
    """
    from domainllm.runtime.models import ChecksumMismatchError, ModelNotInstalledError

    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():  # elsewhere signals cannot be set
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.func(args))
    except (OSError, ValueError, ChecksumMismatchError, ModelNotInstalledError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
