"""Metadata: the data and the area, described as data.

* :mod:`~sendready.metadata.contracts`: one contract per source (columns, types, codes,
  rules). It feeds the validator, the sample generator and the data dictionary.
* :mod:`~sendready.metadata.catalogue`: the indicator ids profiles may name.
* :mod:`~sendready.metadata.profile` and ``profiles/``: an area's findings, targets and
  file mapping, in YAML.
* :mod:`~sendready.metadata.identifiers`: what UPNs, NHS numbers, URNs and postcodes look
  like.
"""
