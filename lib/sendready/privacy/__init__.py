"""Privacy: what may leave the machine.

:mod:`~sendready.privacy.disclosure` suppresses small counts (primary and secondary) with
the DfE symbols, and guards every table bound for a report against child-level columns and
identifier-like values. Every figure about children passes through here before a report
shows it.
"""
