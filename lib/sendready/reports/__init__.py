"""Reports: the evidence written for people, one notebook section per method call.

:mod:`~sendready.reports.context` is what every report is built from;
:mod:`~sendready.reports.narrative` writes the sentences; :mod:`~sendready.reports.charts`
draws the charts with their alt text and tables; :mod:`~sendready.reports.common` and
:mod:`~sendready.reports.panels` are the shared sections. The reports themselves:
:mod:`~sendready.reports.weakness`, :mod:`~sendready.reports.summary` (board summary),
:mod:`~sendready.reports.data_quality` and, for analysts, :mod:`~sendready.reports.drilldown`
(its figures in :mod:`~sendready.reports.drilldown_figures`); for analysts' own work,
:mod:`~sendready.reports.analyst` (report figures as DataFrames, charts on demand) and
:mod:`~sendready.reports.explore` (the explore notebook's pandas and seaborn helpers).
Reports read evidence and staged tables; they never run an ingest and never touch the
sample generator.
"""
