"""The benchmark harness produces well-formed figures (it never asserts how fast anything is).

Measuring is checked against what a process is known to do (allocate 300 MB, sleep, exit
with a code); the stages run once on a tiny sample area; the summary table and the
budget lines are checked against figures worked out by hand.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from sendready.dev import bench
from sendready.evidence.build import profile_indicator_ids
from sendready.metadata.profile import load_profile

ALLOCATE = 300  # MB a child process touches, so its peak memory is known
CHILD = f"import sys, time; block = b'x' * ({ALLOCATE} * 2**20); time.sleep(0.6); sys.exit(3)"


def _check_child(m: bench.Measurement) -> None:
    assert m.returncode == 3
    assert m.wall_s >= 0.6
    assert m.max_rss_mb >= ALLOCATE
    assert 0 < m.cpu_s < m.wall_s + 1
    assert m.max_rss_mb < ALLOCATE + 200  # the interpreter itself is far smaller


def test_measure_reads_time_and_memory_of_a_known_process():
    if not os.access(bench.TIME_BINARY, os.X_OK):
        pytest.skip(f"{bench.TIME_BINARY} is not installed; the fallback is tested below")
    m = bench.measure([sys.executable, "-c", CHILD])
    _check_child(m)
    if Path("/proc/self/smaps_rollup").exists():
        # Sampled five times a second over 0.6 s holding the block: at least one sample sees it.
        assert m.peak_tree_mb >= ALLOCATE * 0.9


def test_measure_without_usr_bin_time_uses_getrusage(monkeypatch):
    monkeypatch.setattr(bench, "TIME_BINARY", "/nonexistent/time")
    _check_child(bench.measure([sys.executable, "-c", CHILD]))


def test_summarise_takes_medians_over_repeats():
    runs = [
        bench.Measurement(
            wall_s=w,
            cpu_s=c,
            max_rss_mb=r,
            peak_tree_mb=p,
            load_1min=0.5,
            returncode=rc,
            extra={"evidence_s": e, "label": "x"},
        )
        for w, c, r, p, rc, e in [
            (1.0, 2.0, 100, 150, 0, 0.4),
            (5.0, 1.0, 300, 350, 0, 0.2),
            (3.0, 4.0, 200, 250, 1, 0.3),
        ]
    ]
    figures = bench.summarise(runs)
    assert figures["wall_s"] == 3.0 and figures["cpu_s"] == 2.0
    assert figures["max_rss_mb"] == 200 and figures["peak_tree_mb"] == 250
    assert figures["repeats"] == 3 and figures["failed"] == 1
    assert figures["wall_each_s"] == [1.0, 5.0, 3.0]
    assert figures["inside"] == {"evidence_s": 0.3}  # text figures are not medians
    assert bench.summarise([]) == {}


def test_machine_info_matches_the_machine():
    machine = bench.machine_info()
    assert machine["cores"] == os.cpu_count()
    assert machine["python"] == platform.python_version()
    assert machine["cpu_model"]
    if hasattr(os, "sysconf") and Path("/proc/meminfo").exists():
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
        assert abs(machine["ram_mb"] - pages) <= 0.01 * pages


def test_stages_run_on_a_tiny_sample(tmp_path):
    sample, data = bench.bench_sample(tmp_path, scale=0.05, repeats=1)
    assert (data / "extract.json").is_file()
    period_end = bench.period_end_for(data)
    ingest, staged = bench.bench_ingest(tmp_path, data, repeats=1)
    indicators = bench.bench_indicators(tmp_path, staged, period_end, repeats=1)
    floor = bench.bench_floor(tmp_path, data, period_end, repeats=1, only=["data_quality"])
    for figures in (sample, ingest, indicators, floor):
        assert figures["repeats"] == 1 and figures["failed"] == 0
        assert figures["wall_s"] > 0 and figures["cpu_s"] > 0
        assert figures["max_rss_mb"] > 20  # a Python process with pandas loaded
    assert json.loads((staged / "data_quality.json").read_text(encoding="utf-8"))["sources"]
    expected = len(profile_indicator_ids(load_profile(bench.PROFILE)))
    assert indicators["inside"]["indicators"] == expected
    assert indicators["inside"]["evidence_s"] <= indicators["wall_s"]
    assert floor["inside"]["reports"] == 1
    assert floor["inside"]["html_bytes"] > 1000
    assert not list(tmp_path.glob("floor-*"))  # each floor run's outputs are removed


def test_naive_script_is_the_papermill_and_nbconvert_loop(tmp_path):
    data = tmp_path / "data"
    script = bench.naive_script(
        data, tmp_path / "naive", "2019-03-31", only=["board_summary", "W3"]
    )
    lines = [line for line in script.splitlines() if line != "set -e"]
    assert len(lines) == 4  # two notebooks, each executed then converted
    assert "00_board_summary.ipynb" in lines[0] and "10_weakness_report.ipynb" in lines[2]
    assert "-r weakness_id W3" in lines[2] and "weakness_id" not in lines[0]
    for run in (lines[0], lines[2]):
        assert "papermill" in run and "-k sendready" in run
        assert f"-r data_dir {data}" in run and "-r period_end 2019-03-31" in run
    for convert in (lines[1], lines[3]):
        assert "jupyter" in convert and "nbconvert --to html --no-input" in convert
    (tmp_path / "naive.sh").write_text(script, encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(tmp_path / "naive.sh")]).returncode == 0


def test_manifest_figures_take_medians_per_notebook():
    manifests = [
        {
            "timings_seconds": {"ingest": 2.0, "notebooks": 20.0},
            "notebooks": [
                {"key": "W1", "seconds": 4.0, "execute_seconds": 3.5, "export_seconds": 0.5}
            ],
        },
        {
            "timings_seconds": {"ingest": 4.0, "notebooks": 10.0},
            "notebooks": [
                {"key": "W1", "seconds": 2.0, "execute_seconds": 1.5, "export_seconds": 0.3}
            ],
        },
    ]
    figures = bench._manifest_figures(manifests)
    assert figures["stages"] == {"ingest": 3.0, "notebooks": 15.0}
    assert figures["notebooks"]["W1"] == {
        "seconds": 3.0,
        "execute_seconds": 2.5,
        "export_seconds": 0.4,
    }


def _stage(wall, cpu=1.0, peak=100.0):
    return {"wall_s": wall, "cpu_s": cpu, "max_rss_mb": peak, "peak_tree_mb": peak, "repeats": 1}


def _scale(scale, batch, floor, naive, rerun, ingest, peak):
    return {
        "scale": scale,
        "repeats": 1,
        "sample": _stage(1.0),
        "ingest": _stage(ingest),
        "indicators": _stage(2.0),
        "export": _stage(0.5),
        "batch": _stage(batch, peak=peak),
        "rerun": _stage(rerun),
        "naive": _stage(naive),
        "floor": _stage(floor),
        "batch_inside": {"notebooks": {"W1": {"seconds": 4.25}}},
    }


def test_markdown_table_and_budgets(tmp_path):
    results = {
        "created": "2026-01-01 00:00:00",
        "budgets": bench.BUDGETS,
        "load_average_end": [1.0, 1.0, 1.0],
        "machine": {
            "cpu_model": "Test CPU",
            "cores": 2,
            "ram_mb": 4096,
            "python": "3.11.9",
            "load_average": [0.5, 0.5, 0.5],
        },
        "scales": [
            _scale(1.0, batch=30.0, floor=20.0, naive=90.0, rerun=2.5, ingest=3.0, peak=900.0),
            _scale(10.0, batch=130.0, floor=60.0, naive=300.0, rerun=2.0, ingest=12.0, peak=4000.0),
        ],
    }
    text = bench.markdown(results)
    assert (
        "| whole batch (`sendready run --force`) | 30.0 | 1.0 | 900 | 130.0 | 1.0 | 4,000 |" in text
    )
    assert "| notebook W1 (in the batch, 2 at a time) | 4.2 | – | – | 4.2 | – | – |" in text
    # 30 / 20 = 1.50 (limit 1.5, met); 90 / 30 = 3.00 (at least 3, met); 130 s is over 120 s.
    assert "| batch over floor | 1.50 | 2.17 |" in text
    assert "| naive over batch | 3.00 | 2.31 |" in text
    assert "| batch / floor at scale 1 | 1.50x | <= 1.5x | met |" in text
    assert "| naive loop / batch at scale 1 | 3.00x | >= 3x | met |" in text
    assert "| batch wall time at scale 10 | 130.00 s | < 120 s | NOT met |" in text
    assert "| batch peak memory at scale 10 | 4,000.00 MB | < 3072 MB | NOT met |" in text
    assert "| ingest wall time at scale 10 | 12.00 s | < 30 s | met |" in text
    assert "| unchanged re-run at scale 1 | 2.50 s | < 3 s | met |" in text
    assert "Test CPU, 2 cores, 4,096 MB RAM, Python 3.11.9" in text
    as_json, as_md = bench.write_results(results, tmp_path / "bench")
    assert json.loads(as_json.read_text(encoding="utf-8"))["scales"][1]["scale"] == 10.0
    assert as_md.read_text(encoding="utf-8") == text


def test_the_40_quarter_budget_is_measured_or_projected():
    def results(quarters, wall):
        one = {
            "scale": 1.0,
            "rerun": {"wall_s": 0.5},
            "quarters": {
                "quarters": quarters,
                "wall_s": wall,
                "per_quarter_s": wall / quarters,
                "projected_40_s": wall / quarters * 40,
            },
        }
        return {"scales": [one]}

    # 12 quarters in 150 s: 12.5 s a quarter, 500 s for 40, within 600 s.
    (line,) = [x for x in bench.budget_lines(results(12, 150.0)) if "quarterly" in x]
    assert "projected from 12 (12.5 s a quarter)" in line and "500.00 s" in line
    assert line.endswith("| met |")
    (line,) = [x for x in bench.budget_lines(results(40, 640.0)) if "quarterly" in x]
    assert "all 40 quarterly packs" in line and line.endswith("| NOT met |")


def test_the_quarter_range_covers_the_sample(tmp_path):
    (tmp_path / "extract.json").write_text('{"extract_date": "2019-04-05"}')
    quarters = bench.quarter_range_for(tmp_path)
    assert quarters[0] == "2016-06-30" and quarters[-1] == "2019-03-31" and len(quarters) == 12
