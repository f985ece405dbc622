"""Where the project's shared documents and published data are, for tests that read them.

They live beside the checkout (``../shared``) on the development machines; a CI clone
elsewhere can point ``SENDREADY_SHARED_DIR`` at them. Tests that need them skip with a
clear reason when they are absent (for example on a council's own machine).
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_shared() -> Path:
    candidates = []
    if os.environ.get("SENDREADY_SHARED_DIR"):
        candidates.append(Path(os.environ["SENDREADY_SHARED_DIR"]))
    candidates.append(Path(__file__).resolve().parents[3] / "shared")
    candidates.append(Path("/work/shared"))
    for candidate in candidates:
        if (candidate / "DOMAIN.md").exists():
            return candidate
    return candidates[0]


SHARED_ROOT = _find_shared()
