"""Publish: the board pack, from ingest to the index page.

:mod:`~sendready.publish.pipeline` runs a whole pack (ingest once, evidence once per
period, every report notebook, the index); :mod:`~sendready.publish.batch` runs the
notebooks in parallel on warm kernels (:mod:`~sendready.publish.kernelpool`,
:mod:`~sendready.publish.kernel`); :mod:`~sendready.publish.export` turns executed
notebooks into accessible HTML; :mod:`~sendready.publish.boardpack` writes the index and the
manifest; :mod:`~sendready.publish.paths` says where everything goes;
:mod:`~sendready.publish.evidence_cache` keeps the period's evidence for every report.
"""
