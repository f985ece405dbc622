"""The sample's identifiers pass the real checks, and its planted identifier faults stay
faults once ingest has removed spaces and hyphens.

The check characters are worked out here from their definitions (DfE UPN specification,
NHS Modulus 11), not with the suite's own functions.
"""

from __future__ import annotations

import numpy as np

from sendready.ingest.validate import nhs_number_valid, upn_valid
from sendready.metadata.identifiers import normalise_identifier
from sendready.sample import identity
from sendready.sample.faults import _bad_format

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _nhs_ok(number: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(number[:9]))
    check = (11 - total % 11) % 11
    return len(number) == 10 and check != 10 and check == int(number[9])


def _upn_ok(upn: str) -> bool:
    total = sum(int(ch) * w for w, ch in zip(range(2, 14), upn[1:], strict=True))
    return len(upn) == 13 and LETTERS[total % 23] == upn[0]


def test_sample_identifiers_carry_valid_check_characters_and_faults_stay_faulty():
    import pandas as pd

    rng = np.random.default_rng(7)
    nhs = identity.nhs_numbers(rng, 2_000)
    upns = identity.upns(
        np.full(2_000, 351), rng.integers(2000, 7000, 2_000), rng.integers(2005, 2019, 2_000)
    )
    assert all(_nhs_ok(n) for n in nhs) and len(set(nhs)) == len(nhs)
    assert all(_upn_ok(u) for u in upns) and len(set(upns)) == len(upns)
    # Ingest's normalisation leaves a valid identifier as it is, and it passes.
    assert all(normalise_identifier("nhs_number", n) == n for n in nhs)
    assert all(normalise_identifier("upn", u) == u for u in upns)
    assert nhs_number_valid(pd.Series(nhs, dtype="string")).all()
    assert upn_valid(pd.Series(upns, dtype="string")).all()
    # A planted keying error is still caught after spaces and hyphens are removed.
    bad_nhs = [normalise_identifier("nhs_number", _bad_format("nhs_number", n, rng)) for n in nhs]
    bad_upn = [normalise_identifier("upn", _bad_format("upn", u, rng)) for u in upns]
    assert not any(_nhs_ok(n) for n in bad_nhs)
    assert not any(_upn_ok(u) for u in bad_upn)
    assert not nhs_number_valid(pd.Series(bad_nhs, dtype="string")).any()
    assert not upn_valid(pd.Series(bad_upn, dtype="string")).any()
