"""``python -m domainllm bench multidoc``: lab 5's comparison from the command line.

Kept apart from :mod:`domainllm.benchmark.multidoc_bench` so that building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse

from domainllm.cli.arguments import check_json_output, positive_int


def bench_multidoc(args: argparse.Namespace) -> int:
    """Run the comparison, print one line per approach, optionally write the full JSON."""
    import json

    from domainllm.benchmark.multidoc_bench import run_multidoc_benchmark
    from domainllm.files import atomic_write_text

    check_json_output(args.json)
    result = run_multidoc_benchmark(
        n=args.n,
        approaches=args.approaches,
        vector_pipeline=args.vector_pipeline,
        extraction=not args.no_extraction,
    )
    print(f"test_multidoc: {result['n_sample']} of {result['n_split']} questions, stratified by kind")
    for name, report in result["approaches"].items():
        parts = [f"set F1 {_estimate(report['metrics']['set_f1'])}"]
        parts += [
            f"{m} {_estimate(report['metrics'][m])}"
            for m in ("list_f1", "count", "compare", "amended")
            if m in report["metrics"]
        ]
        print(f"{name:>11}: " + ", ".join(parts) + f", {report['seconds_per_answer']:.2f} s/answer")
    if "map_reduce_all" in result:
        print(
            f"map_reduce on all {result['n_split']}: set F1 {_estimate(result['map_reduce_all']['metrics']['set_f1'])}"
        )
    if "best" in result:
        best = result["best"]
        print(f"best: {best['approach']}, {best['ratio_to_vector_rag']:.1f}x vector RAG's set F1")
    if "extraction" in result:
        sample = result["extraction"]["sample"]
        total = sample["llm"]["total"]
        print(
            f"extraction on {sample['requests']} requests: LLM precision {_rate(total['precision'])}, "
            f"recall {_rate(total['recall'])}, rejected {sample['llm_stats']['rejected']}; "
            f"pattern on the corpus: F1 {_rate(result['extraction']['pattern_corpus']['total']['f1'])}"
        )
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
        print(f"Wrote {args.json}")
    return 0


def _estimate(e: dict) -> str:
    return f"{e['mean']:.3f} [{e['low']:.3f}, {e['high']:.3f}]"


def _rate(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def add_multidoc_command(commands: argparse._SubParsersAction) -> None:
    """Register ``multidoc`` under the ``bench`` group."""
    multidoc = commands.add_parser("multidoc", help="vector RAG, graph RAG and map-reduce on test_multidoc")
    multidoc.add_argument("--json", help="write the full results (metrics, intervals, answers) to this file")
    multidoc.add_argument(
        "--n", type=positive_int, help="questions in the sample (default: 16 x DOMAINLLM_SCALE)"
    )
    multidoc.add_argument("--approaches", nargs="+", help="subset of vector_rag, graph_rag, map_reduce")
    multidoc.add_argument(
        "--vector-pipeline",
        default="advanced_rag",
        help="the rag_bench retrieval pipeline used as vector RAG (default advanced_rag)",
    )
    multidoc.add_argument("--no-extraction", action="store_true", help="skip the extraction scores")
    multidoc.set_defaults(func=bench_multidoc)
