"""Inspection-week lists: the person-level lists an area hands to inspectors, and checks.

When Ofsted and CQC notify an area SEND inspection, the partnership has days to give the
inspectors List 1 (children and young people with an EHC plan) and List 2 (those on SEN
support). :mod:`~sendready.lists.build` makes both from the staged data as at a date;
:mod:`~sendready.lists.rules` checks them against the rule set local authority analysts
share for these lists (ages, future dates, plan and review dates, missing identifiers
and establishments, duplicates); :mod:`~sendready.lists.workbook` writes the lists and the
validation report as workbooks in the restricted area, reads lists an area already keeps,
and writes the one page that may be shared: counts only, small ones suppressed.
"""
