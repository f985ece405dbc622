"""The raw data move as the scenario declares, indicator by indicator.

A scenario is built here with every effect of the Bury scenario reversed (each
indicator's first change runs the other way; an indicator Bury holds flat is given a
change), the sample is generated from it, and each indicator's generating parameter is
re-measured from the raw files with plain pandas, pooled over a window before the change
and a window after it, never through the indicators package.

Tolerance: the measured before-to-after change must have the declared sign and lie within
half of the declared change of it, or within 0.05 (five points) where that is wider,
for sampling noise (|measured - declared| <= max(0.5 x |declared|, 0.05)); for the
multiples and the median (LO01, JC03, JC05, HINF02) the same holds for the log of the
ratio. Three measures only
see the parameter through extra noise and are checked for direction alone: ID01 (the
spread of school rates includes sampling noise and the planted outliers), JC01 and JC02
(a few dozen packages and contracts a year), HAW02 (health input is HAW02's multiple
for some children and a constant for others) and LEAD03 (attendance of several partners,
some clipped). The catalogue's indicators beyond Bury's findings (placement, training by
phase, support while waiting, exclusions, attendance, preparation for adulthood, appeals)
are measured the same way from their own raw columns.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.sample_rows import clean_rows, dates
from sendready.sample import generate_sample
from sendready.sample.scenario import (
    REQUIRED,
    SCENARIO_DIR,
    load_scenario,
    scenario_from_mapping,
)

SCALE = 0.6
SEED = 5
START, END = pd.Timestamp("2016-04-01"), pd.Timestamp("2026-03-31")
TOLERANCE = 0.5
NOISE = 0.05
DIRECTION_ONLY = {"ID01", "JC01", "JC02", "HAW02", "LEAD03"}
RATIOS = {"LO01", "JC03", "JC05", "HINF02"}
TRUTHY = {"1", "y", "yes", "true"}
# Flat Bury indicators get this change (to, from their value) in the reversed scenario.
FLAT_CHANGE = {
    "HINF02": 28.0,
    "HAW05": 0.5,
    "JC01": 0.75,
    "JC02": 0.7,
    "JC07": 0.4,
    "PLC01": 0.15,
    "PLC02": 0.35,
    "TRN01": 0.6,
    "TRN02": 0.5,
    "ND01": 0.8,
    "EXC01": 0.25,
    "ATT01": 0.1,
    "PFA01": 0.9,
    "TRB01": 0.08,
}
SURVEY = {"COP05": "PQ01", "JOIN04": "PQ02", "HINF04": "PQ03", "LO05": "PQ04"}


def reversed_document() -> dict:
    doc = yaml.safe_load((SCENARIO_DIR / "bury.yaml").read_text(encoding="utf-8"))
    out = copy.deepcopy(doc)
    out["name"], out["truths"] = "reversed", {}
    for ind in REQUIRED:
        spec = doc["indicators"][ind]
        if "changes" in spec:
            first = dict(spec["changes"][0])
            first["before"], first["after"] = first["after"], first["before"]
            out["indicators"][ind] = {"changes": [first]}
        else:
            value = spec["value"]
            to = FLAT_CHANGE.get(ind, value - 0.25 if value > 0.5 else value + 0.3)
            out["indicators"][ind] = {
                "changes": [{"before": value, "after": to, "when": "2017-12-01", "shape": "ramp"}]
            }
    return out


SCENARIO = scenario_from_mapping(reversed_document(), name="reversed")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("reversed")
    generate_sample(out, scale=SCALE, seed=SEED, scenario=SCENARIO)
    cache: dict[str, pd.DataFrame] = {}

    def rows(source: str) -> pd.DataFrame:
        if source not in cache:
            cache[source] = clean_rows(out, source)
        return cache[source]

    return rows


def _truthy(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().str.lower().isin(TRUTHY)


def _windows(ind: str) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple]:
    change = SCENARIO.effects[ind].changes[0]
    when, until = pd.Timestamp(str(change.when)), pd.Timestamp(str(change.until))
    if when - START < pd.Timedelta(days=365):  # a drift from the start: first year vs last
        return (START, START + pd.Timedelta(days=365)), (until - pd.Timedelta(days=365), until)
    before = (max(START, when - pd.Timedelta(days=548)), when)
    after_start = until + pd.Timedelta(days=60)
    if after_start >= END - pd.Timedelta(days=300):  # a drift to the end: its second half
        after_start = when + (until - when) / 2
    return before, (
        after_start,
        min(after_start + pd.Timedelta(days=548), END - pd.Timedelta(days=270)),
    )


def _declared(ind: str, window: tuple[pd.Timestamp, pd.Timestamp]) -> float:
    days = np.arange(np.datetime64(window[0].date()), np.datetime64(window[1].date()))
    return float(SCENARIO.value(ind, days).mean())


def _in(frame: pd.DataFrame, when: pd.Series, window) -> pd.DataFrame:
    return frame[(when >= window[0]) & (when < window[1])]


def _share(frame: pd.DataFrame, by: str, ok, window, shift: int = 0) -> float:
    when = dates(frame[by]) + pd.Timedelta(days=shift)
    sub = _in(frame, when, window)
    return float(np.mean(ok(sub))) if len(sub) else float("nan")


def _days(frame: pd.DataFrame, a: str, b: str) -> pd.Series:
    return (dates(frame[b]) - dates(frame[a])).dt.days


def _requests(raw, window, ind):
    req = raw("ehc_requests")
    if ind == "EHC01":
        issued = req[req["plan_issued_date"].astype(str).str.strip() != ""]
        return _share(
            issued,
            "received_date",
            lambda f: _days(f, "received_date", "plan_issued_date") <= 140,
            window,
            130,
        )
    decided = req[req["decision_date"].astype(str).str.strip() != ""]
    return _share(
        decided, "received_date", lambda f: _days(f, "received_date", "decision_date") <= 42, window
    )


def _reviews(raw, window, ind):
    rev = raw("annual_reviews")
    held = rev[rev["meeting_date"].astype(str).str.strip() != ""]
    if ind == "EHC06":
        return _share(
            held, "due_date", lambda f: dates(f["meeting_date"]) <= dates(f["due_date"]), window
        )
    if ind == "EHC08":
        amended = held[
            (held["decision"] == "amend")
            & (held["amended_plan_date"].astype(str).str.strip() != "")
        ]
        return _share(
            amended,
            "meeting_date",
            lambda f: _days(f, "meeting_date", "amended_plan_date") <= 84,
            window,
        )
    if ind == "COP04":
        return _share(held, "meeting_date", lambda f: _truthy(f["cyp_participated"]), window)
    if ind == "HAW02":
        return _share(held, "meeting_date", lambda f: _truthy(f["health_input"]), window)
    known = held[_truthy(held["known_to_social_care"])]
    return _share(
        known,
        "meeting_date",
        lambda f: _truthy(f["health_input"]) & _truthy(f["social_care_input"]),
        window,
    )


def _governance(raw, window, ind):
    gov = raw("governance")
    if ind == "COP01":
        forum = gov[gov["organisation"] == "parent_carer_forum"]
        return _share(forum, "meeting_date", lambda f: _truthy(f["attended"]), window)
    four = gov[gov["organisation"].isin(["la", "nhs", "schools", "parent_carer_forum"])]
    four = four[four["board"] != "Joint Commissioning Group"]
    per = four.assign(ok=_truthy(four["attended"])).groupby(["meeting_date", "board"])["ok"].all()
    per = per.reset_index()
    return _share(per, "meeting_date", lambda f: f["ok"], window)


def _audits(raw, window, ind):
    aud = raw("ehcp_audits")

    def good(s):
        return s.isin(["good", "outstanding"])

    if ind == "COP03":
        return _share(aud, "audit_date", lambda f: good(f["grade_voice"]), window)
    if ind == "HAW03":
        return _share(
            aud,
            "audit_date",
            lambda f: good(f["grade_health_c"]) & good(f["grade_health_g"]),
            window,
        )
    known = aud[aud["health_practitioner_aware"].astype(str).str.strip() != ""]
    return _share(known, "audit_date", lambda f: _truthy(f["health_practitioner_aware"]), window)


def _advice(raw, window, ind):
    adv = raw("ehc_advice")
    health = adv[
        (adv["advice_type"] == "health") & (adv["received_date"].astype(str).str.strip() != "")
    ]
    if ind == "HINF01":
        return _share(
            health,
            "requested_date",
            lambda f: _days(f, "requested_date", "received_date") <= 42,
            window,
        )
    if ind == "HINF02":
        sub = _in(health, dates(health["requested_date"]), window)
        return float(_days(sub, "requested_date", "received_date").median())
    if ind == "HINF03":
        return _share(health, "requested_date", lambda f: f["channel"] == "portal", window)
    req = raw("ehc_requests")
    issued = req[req["plan_issued_date"].astype(str).str.strip() != ""][
        ["request_id", "plan_issued_date"]
    ]
    merged = adv.merge(issued, on="request_id")
    merged["ok"] = (merged["received_date"].astype(str).str.strip() != "") & (
        dates(merged["received_date"]) <= dates(merged["plan_issued_date"])
    )
    three = merged[merged["advice_type"].isin(["education", "health", "social_care"])]
    per = three.groupby(["request_id", "plan_issued_date", "advice_type"])["ok"].any().unstack()
    per = per.dropna().all(axis=1).rename("ok").reset_index()
    return _share(per, "plan_issued_date", lambda f: f["ok"], window)


def _referrals(raw, window, ind):
    ref = raw("health_referrals")
    if ind == "JOIN03":
        return _share(
            ref, "referral_date", lambda f: f["nhs_number"].astype(str).str.strip() != "", window
        )
    if ind == "HAW01":
        holders = set(raw("ehc_plans")["person_id"])
        flagged = ref[
            ref["person_id"].isin(holders)
            & (ref["ehcp_flag_on_record"].astype(str).str.strip() != "")
        ]
        return _share(flagged, "referral_date", lambda f: _truthy(f["ehcp_flag_on_record"]), window)
    seen = ref[ref["first_contact_date"].astype(str).str.strip() != ""]
    services = {
        "JC03": ["community_paediatrics", "camhs"],
        "JC05": ["slt", "ot", "physio"],
        "JC06": ["neurodevelopmental"],
    }[ind]
    seen = seen[seen["service"].isin(services)]
    sub = _in(seen, dates(seen["referral_date"]), window)
    waits = _days(sub, "referral_date", "first_contact_date")
    return float((waits <= 91).mean()) if ind == "JC06" else float(waits.median())


def _surveys(raw, window, ind):
    sur = raw("surveys")
    answers = sur[
        (sur["question_id"] == SURVEY[ind]) & (sur["answer"].astype(str).str.strip() != "")
    ]
    return _share(
        answers, "wave_date", lambda f: f["answer"].isin(["agree", "strongly_agree", "yes"]), window
    )


def _local_offer(raw, window, ind):
    if ind in ("LO01", "LO02"):
        web = raw("local_offer_web")
        sub = _in(web, dates(web["date"]), window)
        if ind == "LO01":
            return float(sub["users"].astype(int).sum() / sub["date"].nunique())
        return float(
            sub["zero_result_searches"].astype(int).sum() / sub["searches"].astype(int).sum()
        )
    if ind == "LO03":
        d = raw("local_offer_directory")
        live = d[_truthy(d["live"])]

        def fresh(f):
            return (dates(f["snapshot_date"]) - dates(f["last_reviewed_date"])).dt.days <= 365

        return _share(live, "snapshot_date", fresh, window)
    fb = raw("local_offer_feedback")

    def ok(f):
        return (f["responded_date"].astype(str).str.strip() != "") & _truthy(
            f["published_in_response"]
        )

    return _share(fb, "received_date", ok, window)


def _census(raw, window, ind):
    census = raw("school_census")
    sub = _in(census, dates(census["census_date"]), window)
    if ind == "ID03":
        support = sub[sub["sen_provision"] == "K"]
        return float((support["primary_need"] == "NSA").mean())
    main = sub[~sub["phase"].isin(["special", "pru"])]
    rates = main.groupby(["census_date", "school_urn"])["sen_provision"].agg(
        lambda s: (s == "K").mean()
    )
    logits = np.log(rates.clip(0.01, 0.99) / (1 - rates.clip(0.01, 0.99)))
    return float(logits.groupby(level=0).std().mean())


def _training(raw, window, ind):
    tr = raw("training")
    wf = raw("workforce")
    group, course = (
        ("senco", "graduated_approach") if ind == "ID06" else ("health_practitioner", "ehc_plans")
    )
    done = tr[(tr["staff_group"] == group) & (tr["course"] == course)]
    count = len(_in(done, dates(done["completed_date"]), window))
    staff = wf[wf["staff_group"] == group]
    heads = staff.groupby("period")["headcount"].apply(lambda s: s.astype(int).sum()).median()
    years = (window[1] - window[0]).days / 365.25
    return float(count / years / heads)


def _commissioning(raw, window, ind):
    if ind == "JC01":
        jp = raw("joint_packages")
        funders = sum(
            (jp[c].astype(float) > 0).astype(int)
            for c in ("education_gbp", "health_gbp", "social_care_gbp")
        )
        return _share(jp.assign(n=funders), "start_date", lambda f: f["n"] >= 2, window)
    if ind == "JC02":
        cs = raw("commissioned_services")
        return _share(cs, "start_date", lambda f: _truthy(f["joint_specification"]), window)
    plans = raw("ehc_plans")
    known = plans[plans["personal_budget"].astype(str).str.strip() != ""]
    return _share(known, "start_date", lambda f: _truthy(f["personal_budget"]), window)


def _actions(raw, window, ind):
    ap = raw("action_plan")

    def done(f):
        return (f["completed_date"].astype(str).str.strip() != "") & (
            dates(f["completed_date"]) <= dates(f["due_date"])
        )

    return _share(ap, "due_date", done, window)


def _coproduction(raw, window, ind):
    cp = raw("coproduction")
    ok = (_truthy(cp["parent_carer_forum"]) | _truthy(cp["young_people"])) & (
        cp["stage"] == "design"
    )
    sub = _in(cp[ok], dates(cp.loc[ok, "date"]), window)
    return float(len(sub) / ((window[1] - window[0]).days / 30.44))


def _placements(raw, window, ind):
    pl = raw("placements")
    first = pl[pl["reason"] == "new_plan"]
    if ind == "PLC01":
        return _share(first, "start_date", lambda f: f["setting_type"] == "special", window)
    special = pl[pl["setting_type"] == "special"][["plan_id", "start_date"]]
    main = first[first["setting_type"] == "mainstream"]
    joined = main.merge(special, on="plan_id", how="left", suffixes=("", "_sp"))
    joined["moved"] = _days(joined, "start_date", "start_date_sp").between(1, 365)
    return _share(joined, "start_date", lambda f: f["moved"], window)


def _teachers(raw, window, ind):
    phase = "primary" if ind == "TRN01" else "secondary"
    tr, wf = raw("training"), raw("workforce")
    done = tr[(tr["staff_group"] == "teacher") & (tr["phase"] == phase)]
    count = len(_in(done, dates(done["completed_date"]), window))
    staff = wf[(wf["staff_group"] == "teacher") & (wf["phase"] == phase)]
    heads = staff.groupby("period")["headcount"].apply(lambda s: s.astype(int).sum()).median()
    return float(count / ((window[1] - window[0]).days / 365.25) / heads)


def _support(raw, window, ind):
    ref = raw("health_referrals")
    nd = ref[ref["service"] == "neurodevelopmental"]
    return _share(
        nd,
        "referral_date",
        lambda f: _days(f, "referral_date", "support_offered_date") <= 84,
        window,
    )


def _pupils(raw, window, ind):
    if ind == "EXC01":
        ex = raw("exclusions")
        return _share(ex, "start_date", lambda f: f["sen_provision"].isin(["K", "E"]), window)
    census = raw("school_census")
    plans = census[
        (census["sen_provision"] == "E") & (census["attendance_percent"].astype(str) != "")
    ]
    return _share(
        plans, "census_date", lambda f: f["attendance_percent"].astype(float) < 90, window
    )


def _adulthood(raw, window, ind):
    rev = raw("annual_reviews")
    held = rev[
        (rev["meeting_date"].astype(str).str.strip() != "")
        & (pd.to_numeric(rev["ncy"], errors="coerce") >= 9)
        & (rev["pfa_outcomes"].astype(str).str.strip() != "")
    ]
    return _share(held, "meeting_date", lambda f: _truthy(f["pfa_outcomes"]), window)


def _appeals(raw, window, ind):
    req = raw("ehc_requests")
    decided = req[
        req["decision"].isin(["assess", "not_assess"])
        & (req["tribunal"].astype(str).str.strip() != "")
    ]
    return _share(decided, "decision_date", lambda f: _truthy(f["tribunal"]), window)


MEASURES = {
    "EHC01": _requests,
    "EHC03": _requests,
    "EHC06": _reviews,
    "EHC08": _reviews,
    "COP04": _reviews,
    "JOIN02": _reviews,
    "HAW02": _reviews,
    "LEAD01": _actions,
    "LEAD03": _governance,
    "COP01": _governance,
    "COP02": _coproduction,
    "COP03": _audits,
    "HAW03": _audits,
    "HAW04": _audits,
    "COP05": _surveys,
    "JOIN04": _surveys,
    "HINF04": _surveys,
    "LO05": _surveys,
    "JOIN01": _advice,
    "HINF01": _advice,
    "HINF02": _advice,
    "HINF03": _advice,
    "JOIN03": _referrals,
    "HAW01": _referrals,
    "JC03": _referrals,
    "JC05": _referrals,
    "JC06": _referrals,
    "LO01": _local_offer,
    "LO02": _local_offer,
    "LO03": _local_offer,
    "LO04": _local_offer,
    "ID01": _census,
    "ID03": _census,
    "ID06": _training,
    "HAW05": _training,
    "JC01": _commissioning,
    "JC02": _commissioning,
    "JC07": _commissioning,
    "PLC01": _placements,
    "PLC02": _placements,
    "TRN01": _teachers,
    "TRN02": _teachers,
    "ND01": _support,
    "EXC01": _pupils,
    "ATT01": _pupils,
    "PFA01": _adulthood,
    "TRB01": _appeals,
}


def test_every_generated_indicator_is_measured():
    assert set(MEASURES) == set(REQUIRED)


def test_the_reversed_scenario_runs_the_other_way_to_bury():
    bury = load_scenario("bury")
    for ind in REQUIRED:
        ours = SCENARIO.effects[ind].changes[0]
        if bury.effects[ind].changes:
            theirs = bury.effects[ind].changes[0]
            assert (ours.before, ours.after) == (theirs.after, theirs.before)
        else:
            assert ours.before == bury.effects[ind].start != ours.after


@pytest.mark.parametrize("ind", REQUIRED)
def test_raw_data_move_as_declared(raw, ind):
    before_w, after_w = _windows(ind)
    declared = (_declared(ind, before_w), _declared(ind, after_w))
    measured = (MEASURES[ind](raw, before_w, ind), MEASURES[ind](raw, after_w, ind))
    if ind in RATIOS:
        declared_change = np.log(declared[1] / declared[0])
        measured_change = np.log(measured[1] / measured[0])
    else:
        declared_change = declared[1] - declared[0]
        measured_change = measured[1] - measured[0]
    report = f"{ind}: declared {declared}, measured {measured}"
    assert np.sign(measured_change) == np.sign(declared_change), report
    if ind not in DIRECTION_ONLY:
        allowed = max(TOLERANCE * abs(declared_change), NOISE)
        assert abs(measured_change - declared_change) <= allowed, report
