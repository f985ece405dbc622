"""The benchmark measures ``sendready lists`` and checks it against its scale-10 budget."""

from __future__ import annotations

from sendready.dev import bench


def test_lists_stage_runs_on_a_tiny_sample(tmp_path):
    _, data = bench.bench_sample(tmp_path, scale=0.05, repeats=1)
    _, staged = bench.bench_ingest(tmp_path, data, repeats=1)
    figures = bench.bench_lists(tmp_path, data, staged, bench.period_end_for(data), repeats=1)
    assert figures["repeats"] == 1 and figures["failed"] == 0
    assert figures["wall_s"] > 0
    written = list((tmp_path / "lists").rglob("list1_ehc_plans.xlsx"))
    assert len(written) == 1 and "restricted" in written[0].parts


def _stage(wall):
    return {"wall_s": wall, "cpu_s": 1.0, "max_rss_mb": 100.0, "peak_tree_mb": 100.0}


def test_budget_line_for_lists():
    scale = {
        "scale": 10.0,
        "repeats": 1,
        **{k: _stage(1.0) for k in ("sample", "ingest", "indicators", "export", "rerun")},
        "batch": _stage(100.0),
        "lists": _stage(61.5),
    }
    lines = bench.budget_lines({"scales": [scale]})
    assert "| inspection lists wall time at scale 10 | 61.50 s | < 60 s | NOT met |" in lines
    scale["lists"] = _stage(12.0)
    assert "| inspection lists wall time at scale 10 | 12.00 s | < 60 s | met |" in (
        bench.budget_lines({"scales": [scale]})
    )
