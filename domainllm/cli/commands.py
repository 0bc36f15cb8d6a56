"""Command line: ``python -m domainllm <group> <command>``.

Groups register themselves in ``COMMAND_GROUPS``; each adds its subcommands and sets ``func``
(a function taking the parsed arguments and returning an exit status). Heavy modules are imported
inside the command functions so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable


def _corpus_generate(args: argparse.Namespace) -> int:
    from domainllm.corpus.portfolio.generate import generate_portfolio

    started = time.perf_counter()
    result = generate_portfolio(args.out, seed=args.seed, contracts=args.contracts)
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
    from domainllm.paths import DATA_DIR

    corpus = groups.add_parser("corpus", help="generate or check the contract portfolio")
    commands = corpus.add_subparsers(dest="command", required=True, metavar="COMMAND")
    generate = commands.add_parser("generate", help="write the seeded contract portfolio")
    generate.add_argument("--out", default=str(DATA_DIR), help="output folder (default: the repo's data/)")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument("--contracts", type=int, default=48, help="number of contracts (default 48)")
    generate.set_defaults(func=_corpus_generate)
    check = commands.add_parser("check", help="validate a corpus folder and its gold files")
    check.add_argument("dir", help="data folder holding corpus/, facts.jsonl and qa/")
    check.set_defaults(func=_corpus_check)


def _models_warm(args: argparse.Namespace) -> int:
    from domainllm.config import dtype_name, get_settings
    from domainllm.runtime.models import load_embedder, materialized_generator_dir

    started = time.perf_counter()
    folder = materialized_generator_dir(dtype_name(get_settings()))
    load_embedder()
    print(
        f"Generator checkpoint ready at {folder}; embedder verified ({time.perf_counter() - started:.1f} s)."
    )
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

    result = run_rag_benchmark(args.split, names=args.pipelines, n=args.n)
    for name, report in result["pipelines"].items():
        line = ", ".join(f"{m} {report['metrics'][m]['mean']:.3f}" for m in ("em", "contains", "f1"))
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

    from domainllm.benchmark.systems import load_or_run_benchmark, run_benchmark
    from domainllm.files import atomic_write_text

    result = (
        run_benchmark(systems=args.systems) if args.fresh else load_or_run_benchmark(systems=args.systems)
    )
    for name, splits in result["results"].items():
        cells = ", ".join(
            f"{split} {report['metrics']['f1']['mean']:.3f} [{report['metrics']['f1']['low']:.3f}, "
            f"{report['metrics']['f1']['high']:.3f}]"
            for split, report in splits.items()
        )
        print(f"{name:>15}: F1 {cells}")
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
        print(f"Wrote {args.json}")
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
    rag.add_argument(
        "--n", type=int, help="questions to generate answers for (default: 24 x DOMAINLLM_SCALE)"
    )
    rag.add_argument("--pipelines", nargs="+", help="subset of pipelines (default: all)")
    rag.set_defaults(func=_bench_rag)
    add_multidoc_command(commands)
    every = commands.add_parser("all", help="every system on every split (systems x splits x metrics)")
    every.add_argument("--json", help="write the full matrix (metrics, intervals, tokens, latency) here")
    every.add_argument("--systems", nargs="+", help="subset of systems (default: all six)")
    every.add_argument("--fresh", action="store_true", help="ignore the cached result and run again")
    every.set_defaults(func=_bench_all)


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
