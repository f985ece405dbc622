"""Core: what every stage shares and nothing else depends on.

Errors users can fix (:mod:`~sendready.core.errors`), dates (:mod:`~sendready.core.dates`),
how numbers and dates are written for readers (:mod:`~sendready.core.formatting`) and the
fingerprints every cache is keyed on (:mod:`~sendready.core.fingerprints`). Core imports
nothing else of the suite.
"""
