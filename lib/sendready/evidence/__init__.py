"""Evidence: indicators judged, and weaknesses given verdicts.

:mod:`~sendready.evidence.assessment` judges each indicator's series (Making Data Count
SPC for monthly series, comparison with the baseline for censuses and survey waves);
:mod:`~sendready.evidence.verdicts` turns a weakness's key indicators into a verdict;
:mod:`~sendready.evidence.build` computes all of it for one period;
:mod:`~sendready.evidence.data_quality` measures the staged data itself (completeness,
linkage between extracts). Evidence never imports reports, publish or the sample.
"""
