"""Where things live: the project checkout, the sample area, each period's outputs.

Standard library only: the re-run path uses these before it knows whether any work is
needed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path

from sendready.core.dates import iso_date
from sendready.metadata.profile import Profile

log = logging.getLogger("sendready.publish.paths")


def project_root(start: Path | None = None) -> Path:
    """The checkout holding ``pyproject.toml`` and ``notebooks/`` (else the working dir)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists() and (folder / "notebooks").is_dir():
            return folder
    return here


def default_data_dir(root: Path) -> Path:
    """The built-in sample area's folder in a checkout."""
    return root / "data" / "sample"


def ensure_sample(data_dir: Path) -> None:
    """Generate the built-in sample area if the folder has not been written yet."""
    if not (data_dir / "extract.json").exists():
        from sendready.sample import generate_sample

        log.info("generating the sample area in %s", data_dir)
        generate_sample(out_dir=data_dir, scale=1.0, seed=2017)


def staged_dir(outputs: Path, profile: Profile) -> Path:
    """``<outputs>/<profile id>/staged``: the checked data every report of a profile reads."""
    return outputs / profile.id / "staged"


def period_dir(outputs: Path, profile: Profile, period_end: dt.date | str) -> Path:
    """``<outputs>/<profile id>/<period end>``: keyed by profile, not area, because two
    profiles (a 2017 revisit and a 2024 inspection) can share an area."""
    return outputs / profile.id / iso_date(period_end).isoformat()


def earlier_pack(period_folder: Path) -> Path | None:
    """The latest earlier period folder of the same profile that holds verdicts."""
    siblings = (
        sorted(
            p
            for p in period_folder.parent.iterdir()
            if p.is_dir()
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)
            and p.name < period_folder.name
        )
        if period_folder.parent.is_dir()
        else []
    )
    for folder in reversed(siblings):
        if (folder / "evidence" / "verdicts.json").is_file():
            return folder
    return None


def previous_verdicts(period_folder: Path) -> tuple[str, dict[str, str]] | None:
    """The period end and verdict codes of the latest earlier pack (what the index
    compares with), or ``None`` when there is no earlier pack."""
    folder = earlier_pack(period_folder)
    if folder is None:
        return None
    content = json.loads((folder / "evidence" / "verdicts.json").read_text(encoding="utf-8"))
    return folder.name, {k: v["verdict"] for k, v in content["verdicts"].items()}
