"""``python -m sendready``: the same command as ``sendready``, for machines where the
environment's scripts folder is not on the PATH (common on managed Windows laptops)."""

import sys

from sendready.cli import main

sys.exit(main())
