"""Where the project's published reference data are, for the tests that compare with them.

Some tests check results against published DfE files that are not in the repository. They
are looked for in the folder named by ``SENDREADY_SHARED_DIR``, else in a folder named
``shared`` beside the checkout (the checkout's parent folder, worked out from this file).
Tests that need them skip with a clear reason when they are absent (for example on a
council's own machine or a plain clone).
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_shared() -> Path:
    candidates = []
    if os.environ.get("SENDREADY_SHARED_DIR"):
        candidates.append(Path(os.environ["SENDREADY_SHARED_DIR"]))
    candidates.append(Path(__file__).resolve().parents[3] / "shared")
    for candidate in candidates:
        if (candidate / "data").is_dir():
            return candidate
    return candidates[0]


SHARED_ROOT = _find_shared()
