"""bench.json -> the Performance page's tables and verdicts; the training FLOP counts and LoRA throughput."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from domainllm.benchmark import performance as perf
from domainllm.benchmark import throughput


def test_training_flop_estimates() -> None:
    assert throughput.training_flops(100, 10) == 6000
    # forward over everything, input gradients through half, full training of the LoRA weights
    assert throughput.configured_training_flops(100, 50, 1, 10) == (200 + 100 + 6) * 10


def bench_fixture(lab_seconds: float = 100.0, p50s: tuple[float, ...] = (2.0, 8.0, 32.0)) -> dict:
    """A small bench.json with two labs, three retrieval sizes, matmul and LoRA runs."""
    scales = []
    for contracts, p50 in zip((40, 400, 4000), p50s, strict=True):
        scales.append(
            {
                "contracts": contracts,
                "chunks": contracts * 15,
                "runs": [
                    {
                        "build_rows_per_s": 1000.0,
                        "milvus_ms": {"p50": p50 * factor, "p95": 2 * p50},
                        "numpy_ms": {"p50": p50 / 4, "p95": p50 / 2},
                        "agreement": {"same_order": 1.0},
                    }
                    for factor in (0.9, 1.1)
                ],
            }
        )
    scales.append({"contracts": 40000, "chunks": 600000, "skipped": "too slow", "runs": [{"numpy_ms": {"p50": 9.0, "p95": 12.0}}]})  # fmt: skip
    return {
        "labs": {
            "00-setup": {"seconds": lab_seconds, "peak_mib": 900.0, "budget_s": 120, "budget_mib": 1536},
            "07-sft": {"seconds": 200.0, "peak_mib": 2100.0, "budget_s": 360, "budget_mib": 2048},
        },
        "micro": {
            "matmul": {"runs": [{"peak_gflops": 100.0, "model_shape_gflops": 50.0}]},
            "lora": {
                "runs": [
                    {"tokens_per_s": 10.0, "standard_gflops": 20.0, "configured_gflops": 10.0},
                    {"tokens_per_s": 30.0, "standard_gflops": 40.0, "configured_gflops": 20.0},
                ]
            },
            "retrieval": {"scales": scales},
        },
    }


def test_lab_rows_judge_each_budget() -> None:
    rows = {row["lab"]: row["verdict"] for row in perf.lab_rows(bench_fixture())}
    assert rows == {"00-setup": "ok", "07-sft": "over memory"}
    rows = {row["lab"]: row["verdict"] for row in perf.lab_rows(bench_fixture(lab_seconds=130))}
    assert rows["00-setup"] == "over time"


def test_retrieval_rows_average_runs_and_keep_skips() -> None:
    rows = perf.retrieval_rows(bench_fixture())
    assert [row["contracts"] for row in rows] == [40, 400, 4000, 40000]
    assert rows[1]["Milvus p50 ms"] == pytest.approx(8.0)
    assert rows[1]["Milvus / NumPy (p50)"] == pytest.approx(4.0)
    assert "Milvus p50 ms" not in rows[3] and rows[3]["note"] == "too slow"
    assert rows[3]["NumPy p50 ms"] == 9.0


def test_milvus_crossing_uses_the_measured_curve() -> None:
    crossing = perf.milvus_crossing(bench_fixture())
    assert crossing is not None and crossing["how"] == "interpolated"
    assert crossing["size"] == pytest.approx(400 * 10 ** (math.log(20 / 8) / math.log(4)))


def test_verdicts_from_numbers() -> None:
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(bench_fixture())}
    assert found["whole"].ok is True and found["whole"].measured == "5.0 min for 2 labs"
    assert found["every"].ok is False and "07-sft" in found["every"].note
    retrieval = found["dense"]
    assert retrieval.ok is False and "4,000 contracts (largest measured)" in retrieval.measured
    assert "NumPy scan of the 600,000 vectors at 40,000 contracts takes 9.0 ms" in retrieval.note
    lora = found["LoRA"]
    assert lora.ok is True and lora.measured.startswith("0.300")
    assert "0.150" in lora.note and "0.50 of peak" in lora.note


def test_a_failed_lab_fails_both_lab_verdicts() -> None:
    bench = bench_fixture()
    bench["labs"]["09-benchmark"] = {"error": "boom", "budget_s": 480, "budget_mib": 1536}
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(bench)}
    assert found["whole"].ok is False and "09-benchmark" in found["whole"].note
    assert found["every"].measured == "1 of 3 labs"
    assert found["every"].ok is False and "failed: 09-benchmark" in found["every"].note


def test_the_book_is_not_judged_from_some_of_its_labs() -> None:
    expected = ["00-setup", "07-sft", "10-roi"]
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(bench_fixture(), expected)}
    assert found["whole"].ok is None and "not measured: 10-roi" in found["whole"].note
    assert found["every"].ok is False  # 07-sft is over memory whatever 10-roi does
    bench = bench_fixture()
    bench["labs"]["07-sft"]["peak_mib"] = 1000.0
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(bench, expected)}
    assert found["every"].ok is None


def test_retrieval_verdict_met_when_the_curve_stays_low() -> None:
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(bench_fixture(p50s=(1.0, 1.5, 2.0)))}
    assert found["dense"].ok is True and "extrapolated" in found["dense"].note


def test_verdicts_say_not_measured_on_an_empty_file() -> None:
    rows = perf.verdict_rows({})
    assert rows and all(row["ok"] == "not judged" for row in rows)


def test_spread_rows_list_each_run() -> None:
    rows = {row["metric"]: row for row in perf.spread_rows(bench_fixture())}
    assert rows["LoRA SFT training"]["runs"] == [10.0, 30.0]
    assert rows["LoRA SFT training"]["relative"] == pytest.approx(1.0)
    assert rows["Milvus p50, 400 contracts"]["runs"] == [pytest.approx(7.2), pytest.approx(8.8)]


def test_load_bench_takes_each_section_from_the_first_file_that_has_it(tmp_path) -> None:
    labs_only = tmp_path / "build.json"
    labs_only.write_text(json.dumps({"machine": {"cpus": 8}, "labs": {"00-setup": {}}, "micro": {}}))
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps({"machine": {"cpus": 2}, "labs": {"x": {}}, "micro": {"repeat": 2}}))
    bench = perf.load_bench(tmp_path / "missing.json", labs_only, snapshot)
    assert bench["labs"] == {"00-setup": {}} and bench["micro"] == {"repeat": 2}
    assert bench["sources"] == {"labs": str(labs_only), "micro": str(snapshot)}
    assert bench["machines"]["labs"]["cpus"] == 8 and bench["machines"]["micro"]["cpus"] == 2
    assert perf.load_bench(tmp_path / "missing.json") == {"sources": {}, "machines": {}}


def test_the_pure_half_does_not_import_torch() -> None:
    """The book page imports this module to read bench.json; it must stay light."""
    code = (
        "import sys; from domainllm.benchmark import performance as p, machine, throughput, dense_search; "
        "p.verdict_rows({}); machine.machine_info(); "
        "print(sorted(m for m in ('torch', 'transformers', 'pymilvus') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_lora_throughput_times_real_training_steps() -> None:
    result = throughput.lora_training_throughput(steps=2, examples=16)
    assert len(result["step_seconds"]) == 2
    assert all(s > 0 for s in result["step_seconds"])
    assert result["tokens_per_s"] > 0
    assert 0 < result["lora_parameters"] < result["frozen_parameters"]
    assert result["configured_gflops"] <= result["standard_gflops"]


def ann_fixture(p50: float = 4.0, recall: float = 0.96) -> dict:
    bench = bench_fixture()
    ann = {
        "rows": 600000,
        "k": 10,
        "exact_ms": {"p50": 35.0, "p95": 40.0},
        "kinds": {
            "IVF_FLAT": {
                "build_s": 25.0,
                "memory_mib": 900.0,
                "default": {"width": 100, "ms": {"p50": 3.0, "p95": 4.0}, "recall": 0.9},
                "calibration_recall": 0.97,
                "tuned": {"width": 200, "ms": {"p50": p50, "p95": 6.0}, "recall": recall},
            }
        },
    }
    bench["micro"]["retrieval"]["scales"][-1]["ann"] = ann
    bench["micro"]["retrieval"]["scales"][-1]["milvus_lite_hnsw"] = {
        "build_s": 50.0, "ms": {"p50": 90.0, "p95": 99.0}, "recall": 0.99
    }  # fmt: skip
    bench["micro"]["inference_paths"] = {
        "runs": [
            {
                "prompts": 16,
                "paths": {
                    "torch, dynamic KV cache (the labs' path)": {
                        "seconds": 10.0, "completion_tokens_per_s": 30.0, "speedup": 1.0, "identical_answers": 16
                    },
                    "torch, static KV cache": {
                        "seconds": 12.5, "completion_tokens_per_s": 24.0, "speedup": 0.8, "identical_answers": 15
                    },
                },
            }
        ]
    }  # fmt: skip
    return bench


def test_ann_rows_put_the_exact_scan_beside_each_index() -> None:
    rows = perf.ann_rows(ann_fixture())
    assert [r["index"] for r in rows] == ["exact scan (NumPy)", "IVF_FLAT", "Milvus Lite, its own HNSW"]
    assert rows[0]["recall@k"] == 1.0 and rows[1]["width"] == 200 and rows[1]["default width recall"] == 0.9


@pytest.mark.parametrize(("p50", "recall", "ok"), [(4.0, 0.96, True), (25.0, 0.99, False), (4.0, 0.9, False)])
def test_the_ann_verdict_needs_both_speed_and_recall(p50: float, recall: float, ok: bool) -> None:
    found = {v.target.split(" ")[0]: v for v in perf.verdicts(ann_fixture(p50, recall))}
    assert found["approximate"].ok is ok
    assert found["approximate"].measured == f"IVF_FLAT: {p50:.1f} ms, recall {recall:.3f}"
    assert perf.verdicts(bench_fixture())[-2].ok is None  # not measured


def test_inference_rows_report_speed_up_and_identical_answers() -> None:
    rows = perf.inference_rows(ann_fixture())
    assert rows[1]["speed-up"] == 0.8 and rows[1]["identical answers"] == "15 of 16"
    assert perf.inference_rows(bench_fixture()) == []


def test_vectors_around_real_embeddings_are_unit_length_and_seeded() -> None:
    import numpy as np

    from domainllm.benchmark.dense_search import vectors_around

    anchors = np.eye(4, dtype=np.float32)
    made = vectors_around(anchors, 50, seed=1)
    assert made.shape == (50, 4) and np.allclose(np.linalg.norm(made, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(made, vectors_around(anchors, 50, seed=1))


def test_ann_benchmark_measures_each_kind_against_exact_search() -> None:
    import numpy as np

    from domainllm.benchmark.dense_search import ann_benchmark

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 16)).astype(np.float32)
    result = ann_benchmark(vectors, vectors[:20] + 0.1, vectors[20:40] + 0.1, k=5, kinds=("IVF_FLAT", "HNSW"))
    assert set(result["kinds"]) == {"IVF_FLAT", "HNSW"} and result["rows"] == 3000
    for entry in result["kinds"].values():
        assert entry["calibration_recall"] >= 0.95  # tuning reached the target on the calibration queries
        assert entry["tuned"]["width"] >= entry["default"]["width"]  # by widening, never narrowing
        assert 0 <= entry["tuned"]["recall"] <= 1 and entry["build_s"] > 0 and entry["memory_mib"] > 0


def test_the_inference_paths_give_the_same_greedy_answers() -> None:
    from domainllm.runtime.models import load_generator

    generator = load_generator()
    prompts = [
        generator.chat_prompt([{"role": "user", "content": q}]) for q in ("What is a lease?", "Name a month.")
    ]
    result = throughput.inference_path_comparison(generator, prompts, new_tokens=6, batch_size=2)
    assert len(result["paths"]) == len(throughput.INFERENCE_PATHS)
    for entry in result["paths"].values():
        assert entry["seconds"] > 0 and entry["identical_answers"] == 2
