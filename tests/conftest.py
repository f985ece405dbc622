"""Shared fixtures, and the markers every test gets from its folder.

Tests mirror the code: ``tests/unit/<stage>/`` (fast, one stage, small constructed data),
``tests/integration/`` (whole batches, notebooks, the CLI, fresh environments) and
``tests/browser/`` (the system's Chromium). ``make test-fast`` runs ``-m unit``.

``sample_pack``: one real batch run (``run_pack``) over a small generated sample, shared
by the pipeline, board-pack and browser tests, because a run costs most of a minute. It is
built from a clean state (fresh data and outputs folders) with the single-file pack on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.pack_checks import (
    SAMPLE_PACK_PERIOD,
    SAMPLE_PACK_PROFILE,
    SAMPLE_PACK_SCALE,
    SAMPLE_PACK_SEED,
)

_KINDS = ("unit", "integration", "browser")


def pytest_collection_modifyitems(config, items) -> None:
    """Mark each test by the folder it lives in, so that ``-m unit`` needs no decorators."""
    for item in items:
        parts = item.path.relative_to(Path(__file__).parent).parts
        if parts and parts[0] in _KINDS:
            item.add_marker(getattr(pytest.mark, parts[0]))


@dataclass
class SamplePack:
    """What one clean batch run produced, and how it went."""

    data_dir: Path
    outputs: Path
    folder: Path  # the shareable board pack
    restricted: Path  # the period's restricted folder: evidence, notebooks, run.log, manifest
    outcome: object  # sendready.publish.pipeline.PeriodOutcome
    seconds: float
    progress: list[str] = field(default_factory=list)


def _require_kernel() -> None:
    from sendready.core.errors import SendreadyError
    from sendready.publish.kernel import check_kernelspec

    try:
        check_kernelspec()
    except SendreadyError as exc:
        pytest.fail(f"The batch tests need the project's Jupyter kernel: {exc} ({exc.hint})")


@pytest.fixture(scope="session")
def sample_pack(tmp_path_factory) -> SamplePack:
    from sendready.publish.pipeline import run_pack
    from sendready.sample import generate_sample

    _require_kernel()
    root = tmp_path_factory.mktemp("sample_pack")
    data_dir, outputs = root / "data", root / "outputs"
    generate_sample(out_dir=data_dir, scale=SAMPLE_PACK_SCALE, seed=SAMPLE_PACK_SEED)
    progress: list[str] = []
    start = time.perf_counter()
    outcomes = run_pack(
        SAMPLE_PACK_PROFILE,
        data_dir,
        [SAMPLE_PACK_PERIOD],
        outputs,
        jobs=2,
        single_file=True,
        progress=progress.append,
    )
    seconds = time.perf_counter() - start
    assert len(outcomes) == 1
    return SamplePack(
        data_dir=data_dir,
        outputs=outputs,
        folder=outcomes[0].folder,
        restricted=outcomes[0].restricted,
        outcome=outcomes[0],
        seconds=seconds,
        progress=progress,
    )


@pytest.fixture(autouse=True, scope="module")
def _area_indicators_stay_in_their_module():
    """Loading a profile registers its own indicators (Warwickshire's WAR01) for the rest
    of the process, as in an analyst's session; tests of the catalogue that run later in
    the same process must see the catalogue's own indicators only."""
    yield
    from sendready.indicators.declared import forget_profile_indicators

    forget_profile_indicators()
