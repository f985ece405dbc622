"""Refuse files larger than a limit (1 MiB by default): pre-commit's large-file check.

Outputs, extracts and rendered board packs belong in outputs/ or data/ (both ignored by
git), not in the history. Usage: ``check_large_files.py [--max-kib N] FILE...``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def too_large(paths: list[str], max_bytes: int) -> list[tuple[str, int]]:
    """The paths over ``max_bytes``, with their sizes; missing paths (deletions) are skipped."""
    sizes = [(p, Path(p).stat().st_size) for p in paths if Path(p).is_file()]
    return [(p, size) for p, size in sizes if size > max_bytes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kib", type=int, default=1024, help="largest size allowed")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    found = too_large(args.files, args.max_kib * 1024)
    for path, size in found:
        print(f"{path}: {size / 1024:.0f} KiB, over the {args.max_kib} KiB limit")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
