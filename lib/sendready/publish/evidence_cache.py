"""The period's evidence, computed once per batch and reused by every report.

Evidence is cached on disk in the period's restricted folder (``<period>/evidence/``:
the counts are unsuppressed, so never in the board pack), keyed on the staged data's fingerprint,
the profile, the period, the version and the code it is computed by, so a batch computes it
once and every notebook (and an analyst's "Run All") reuses it. The narrator (suppression
marked once) is kept beside it for the same reason, under the same key.

The code is every stage the evidence and the narrator depend on
(:data:`sendready.core.fingerprints.EVIDENCE_CODE`): a changed indicator definition,
verdict rule or narrative class rebuilds both, even when the reports are not forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

from sendready import __version__
from sendready.core.fingerprints import EVIDENCE_CODE, code_fingerprint
from sendready.evidence.build import (
    Evidence,
    build_evidence,
    evidence_from_table,
    profile_indicator_ids,
    profile_targets,
    save_evidence,
)
from sendready.indicators import StagedData
from sendready.indicators.by_quarter import compute_indicators_by_quarter
from sendready.indicators.periods import as_timestamp
from sendready.ingest.plan import IngestResult
from sendready.metadata.profile import Profile
from sendready.reports.context import NARRATOR_FILE, stored_narrator


def evidence_dir(folder: Path) -> Path:
    """``<restricted period folder>/evidence``, as :func:`sendready.publish.paths.evidence_dir`
    says; not imported from there, so that the evidence key hashes only the code the
    evidence depends on (``paths`` reaches the sample generator)."""
    return folder / "evidence"


def evidence_key(profile: Profile, ingest: IngestResult, period_end: str) -> str:
    parts = {
        "fingerprint": ingest.fingerprint,
        "profile": profile.model_dump_json(),
        "period_end": as_timestamp(period_end).date().isoformat(),
        "version": __version__,
        "code": code_fingerprint(*EVIDENCE_CODE),
        # An area's own indicator modules are code too: a changed module is new evidence.
        "modules": [
            hashlib.sha256(Path(m).read_bytes()).hexdigest() for m in profile.indicator_modules
        ],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def evidence_is_current(
    profile: Profile, ingest: IngestResult, period_end: str, folder: Path
) -> bool:
    """Whether :func:`load_or_build_evidence` would reuse the cached evidence (for the log)."""
    return _is_current(folder, evidence_key(profile, ingest, period_end))


def _is_current(folder: Path, key: str) -> bool:
    key_file = evidence_dir(folder) / "evidence.key"
    return (
        (evidence_dir(folder) / "evidence.pkl").exists()
        and key_file.exists()
        and key_file.read_text() == key
    )


def load_or_build_evidence(
    profile: Profile, ingest: IngestResult, period_end: str, folder: Path
) -> Evidence:
    """Evidence for the period, from the cache when its key matches.

    The pickle is written by this suite into the run's own output folder and read back
    only when its key matches, never from user-supplied paths.
    """
    from sendready.indicators.declared import register_profile_indicators

    # Reports read the registry for the area's own indicators, cached evidence or not.
    register_profile_indicators(profile)
    key = evidence_key(profile, ingest, period_end)
    cache = evidence_dir(folder) / "evidence.pkl"
    if _is_current(folder, key):
        with open(cache, "rb") as handle:
            evidence = pickle.load(handle)
        if stored_narrator(folder, key, load=False) is None:  # kept by an older version
            _store_narrator(folder, key, evidence)
        return evidence
    evidence = build_evidence(profile, ingest.out_dir, period_end)
    _store(folder, key, evidence)
    return evidence


def _store(folder: Path, key: str, evidence: Evidence) -> None:
    """Save the evidence (tables for the analyst, pickle and narrator for the reports),
    the key last, so that an interrupted store is never taken as current."""
    key_file = evidence_dir(folder) / "evidence.key"
    key_file.unlink(missing_ok=True)
    save_evidence(evidence, evidence_dir(folder))
    cache = evidence_dir(folder) / "evidence.pkl"
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(evidence, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    _store_narrator(folder, key, evidence)
    key_file.write_text(key)


# Fewer quarters than this are judged in this process: starting a worker (about 3 s of
# imports) costs more than it saves.
PARALLEL_FROM = 4


def prepare_evidence(
    profile: Profile, ingest: IngestResult, periods: dict[str, Path], workers: int = 1
) -> dict[str, Evidence]:
    """Evidence for many periods, the indicator table computed once for all of them.

    Periods whose cached evidence is current are left alone (and not returned); for the
    others the table is computed once over every month to the latest of them and cut per
    period end (:func:`sendready.indicators.by_quarter.compute_indicators_by_quarter`),
    then assessed, judged and stored as :func:`load_or_build_evidence` would, so every
    report of every period reads it from the cache.

    Judging and storing a quarter's evidence (every indicator assessed, suppression
    marked for the narrator, the pickles written) takes seconds per quarter and needs
    nothing from the other quarters, so with ``workers`` above one and at least
    :data:`PARALLEL_FROM` quarters it is done in that many processes at once: for a
    decade of quarters this step would otherwise keep one processor busy for minutes
    while the others wait.

    Args:
        profile: The area profile.
        ingest: The staged data.
        periods: ISO period end -> its restricted period folder.
        workers: Processes that judge and store the quarters (the run's ``--jobs``).

    Returns:
        ISO period end -> the evidence computed now, for the periods that needed it.
    """
    keys = {end: evidence_key(profile, ingest, end) for end in periods}
    todo = [end for end, folder in periods.items() if not _is_current(folder, keys[end])]
    if not todo:
        return {}
    tables = compute_indicators_by_quarter(
        StagedData(Path(ingest.out_dir)),
        todo,
        profile.framework.baseline_start,
        profile_indicator_ids(profile),
        small_threshold=profile.disclosure.threshold,
        targets=profile_targets(profile),
    )
    work = [(profile, tables[as_timestamp(end)], end, periods[end], keys[end]) for end in todo]
    if workers <= 1 or len(work) < PARALLEL_FROM:
        return {item[2]: _judge_and_store(*item) for item in work}
    from concurrent.futures import ProcessPoolExecutor

    from sendready.core.pools import pool_context

    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        futures = [pool.submit(_judge_and_store, *item) for item in work]
        return {item[2]: future.result() for item, future in zip(work, futures, strict=True)}


def _judge_and_store(profile: Profile, table, period_end: str, folder: Path, key: str) -> Evidence:
    """One quarter's evidence from its indicator table, stored as
    :func:`load_or_build_evidence` would store it (in a worker, or in this process)."""
    from sendready.indicators.declared import register_profile_indicators

    # A worker starts with the suite's own indicators only: add the area's, as a report does.
    register_profile_indicators(profile)
    evidence = evidence_from_table(profile, table, period_end)
    _store(folder, key, evidence)
    return evidence


def _store_narrator(folder: Path, key: str, evidence: Evidence) -> None:
    """Mark suppression once per batch: every report's narrator starts from it.

    Marking takes longer than most report sections (each quarter is checked against its
    months for secondary suppression), and every report of a period marks the same table.
    """
    from sendready.reports.narrative.narrator import Narrator

    path = evidence_dir(folder) / NARRATOR_FILE
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two notebooks may race here
    with open(tmp, "wb") as handle:
        # The key first, so that checking it does not unpickle the narrator.
        pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(Narrator.from_evidence(evidence), handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
