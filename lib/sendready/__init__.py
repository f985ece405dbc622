"""sendready: evidence of a local area's progress against its SEND inspection findings.

The packages follow the data, and each imports only the ones before it (a test,
``tests/unit/test_layers.py``, reads every import and fails on a cycle or an upward one):

====================  ==========================================================
``core``, ``stats``   shared basics; pure statistics (imports nothing of the suite)
``metadata``          source contracts, indicator ids, area profiles, identifiers
``ingest``            raw extracts -> checked, staged tables and quarantine
``comparators``       published statistics for England, regions and neighbours
``indicators``        staged tables -> the indicator table (monthly and quarterly)
``sample``            the synthetic sample area (writes raw extracts)
``evidence``          SPC and baseline assessments, verdicts, data-quality measures
``privacy``           small-number suppression, identifier guard
``reports``           narrative, charts and report sections for notebooks
``lists``             inspection-week lists 1 and 2, their checks and summary page
``publish``           batch of notebooks, HTML export, board pack, caches, paths
====================  ==========================================================

``cli`` (the shell) and ``notebook`` (the notebooks' :func:`open_report`) are the two entry
points and may use every stage; ``dev`` holds developer tooling (``make bench``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sendready")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
