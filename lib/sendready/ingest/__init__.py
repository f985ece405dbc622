"""Ingest: the area's raw extracts in, checked and staged tables out.

The first stage. :mod:`~sendready.ingest.plan` works out which file is each source and
whether anything changed since the last run (standard library only, so an unchanged re-run
stays fast); :mod:`~sendready.ingest.readers` reads CSV, XLSX and Parquet;
:mod:`~sendready.ingest.validate` checks every row against its contract;
:mod:`~sendready.ingest.stage` writes the staged Parquet tables and the quarantine;
:mod:`~sendready.ingest.dictionary` writes the data dictionary and blank templates.
Ingest never imports the later stages.
"""
