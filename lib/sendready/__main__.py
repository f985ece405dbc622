"""``python -m sendready``: the same command as ``sendready``, for machines where the
environment's scripts folder is not on the PATH (common on managed Windows laptops)."""

import sys

from sendready.cli import main

# Guarded, as every main module must be for multiprocessing's spawn start method (which
# the batch uses on every platform): a worker that imports it must not run the command.
if __name__ == "__main__":
    sys.exit(main())
