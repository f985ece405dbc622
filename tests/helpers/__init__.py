"""Helpers shared by the tests: fixtures' building blocks, independent checks, paths.

``pyproject.toml`` puts ``tests/`` on pytest's path, so tests import these as
``helpers.<module>`` from any folder.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout: ``pyproject.toml``, ``lib/``, ``notebooks/``, ``data/``."""
