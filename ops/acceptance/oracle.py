"""A reference computation ("oracle") of SPEC.md's outcome metrics and performance payments,
written from /work/shared SPEC.md and API.md alone, for the differential test (differential.py).

Input: the events of every person as the server recorded them (the feed's records: nhsNumber,
version, eventId, occurredAt, recordedAt, payload), the areas' populations and the plans.
Output: for (area, period, asOf) the exact counts of each metric, then what a commissioner sees
after disclosure control, and the payments of a plan. Exact arithmetic (fractions) throughout:
the only rounding is the one SPEC.md names. Standard library only.

Where SPEC.md leaves a choice open, the reading taken is written next to the code as READING and
matches docs/READINGS.md (see the report of the audit for the reconciliation)."""

import datetime as dt
from fractions import Fraction

from oracle_history import (BANK_HOLIDAYS, ONE_DAY, UTC, Period, Person, age_on, is_bst,  # noqa: F401
                            is_weekend_day, last_sunday, local_date, local_midnight, visible)

METRICS = ["nonElectiveAdmissions", "permanentAdmissions65", "permanentAdmissions18to64", "reablement91",
           "delayedDays", "aeAttendances", "patientExperience", "nhsNumberVerified",
           "accountableProfessionalCoverage", "jointAssessmentCoverage", "weekendDischargeRatio",
           "urgentResponse24h"]
# SPEC "Outcome metrics" table, column direction.
HIGHER = {"reablement91", "patientExperience", "nhsNumberVerified", "accountableProfessionalCoverage",
          "jointAssessmentCoverage", "weekendDischargeRatio", "urgentResponse24h"}
AGENCIES = ["NHS", "SOCIAL_CARE", "BOTH", "UNRECORDED"]
REASONS = ["A", "B", "C", "D1", "D2", "E", "F", "G", "H", "I", "UNRECORDED"]

# --- the metrics: exact counts ------------------------------------------------------------------

def in_period(person, t, area, period):
    """SPEC: "An event counts for the area the person lives in when it occurs"; dated by its local
    date."""
    return period.has(local_date(t)) and person.area_at(t) == area


def non_elective(people, area, period):
    """nonElectiveAdmissions: "count of hospitalAdmitted with method EMERGENCY or TRANSFER, dated
    in the period, for residents of the area"."""
    return sum(1 for p in people for s in p.spells.values()
               if s["method"] in ("EMERGENCY", "TRANSFER") and in_period(p, s["admitted"], area, period))


def permanent_admission_people(people, area, period, lo, hi):
    """permanentAdmissions65/18to64: "people aged 65+ with a careHomeAdmitted (permanent,
    council-supported) dated in the period, each person once; an admission while another
    permanent placement is open is a move, not an admission". READING (docs/READINGS.md): open =
    not left before the London date of the new admission (leaving and entering the same day is a
    move)."""
    count = 0
    for p in people:
        for pid, c in p.placements.items():
            if not (c["permanent"] and c["councilSupported"]):
                continue
            t = c["admitted"]
            if not in_period(p, t, area, period) or not lo <= p.age_at(t) <= hi:
                continue
            move = any(o["permanent"] and o["admitted"] <= t
                       and (o["left"] is None or local_date(o["left"]) >= local_date(t))
                       for oid, o in p.placements.items() if oid != pid)
            if not move:
                count += 1
                break
    return count


def reablement(people, area, period):
    """reablement91: "of people aged 65+ discharged to REABLEMENT or REHABILITATION_BED with a
    discharge date in the period and between 1 Oct and 31 Dec, those whose followUpRecorded
    (latest one) says AT_HOME". READING (docs/READINGS.md): counted per discharge; a person who died
    before day 91 (discharge date + 91) is not at home whatever the follow-up says."""
    num = den = 0
    for p in people:
        for s in p.spells.values():
            t = s["discharged"]
            if t is None or s["destination"] not in ("REABLEMENT", "REHABILITATION_BED"):
                continue
            if not in_period(p, t, area, period) or local_date(t).month < 10 or p.age_at(t) < 65:
                continue
            den += 1
            latest = max(s["followUps"], default=None)
            dead = p.died is not None and local_date(p.died) < local_date(t) + 91 * ONE_DAY
            num += latest is not None and latest[2] == "AT_HOME" and not dead
    return num, den


def readiness_at(spell, m):
    """At the midnight m: the start of the current readiness and its latest delay record (or
    None). SPEC: "Ready on 28 April, discharged 3 May: April gets 28, 29, 30 ...; ready and
    discharged the same day: 0": a readiness, withdrawal or discharge exactly at m happens on the
    day m begins, so a readiness at m is not yet ready and one ended at m still is; a delay record
    counts "at or before it"."""
    ready, delay = None, None
    for t, kind, p in spell["clock"]:
        if t > m or (t == m and kind != "dischargeDelayRecorded"):
            break
        if kind == "readyForDischarge":
            if ready is None:  # READING (docs/READINGS.md): a second one while ready changes nothing
                ready, delay = t, None
        elif kind == "readyForDischargeWithdrawn":
            ready, delay = None, None
        elif ready is not None:
            delay = p
    return ready, delay


def delayed_days_of(person, spell, until):
    """SPEC Delayed days: "A day D counts for a spell when, at the midnight that ends D, the person
    (aged 18+ on D) is in the hospital spell and ready for discharge ... the person's area then,
    their age on D, and the agency and reason of the latest dischargeDelayRecorded of the current
    readiness at or before it (UNRECORDED when there is none)". Yields (D, area, agency, reason)."""
    firsts = [t for t, kind, _ in spell["clock"] if kind == "readyForDischarge"]
    if not firsts:
        return
    # READING (docs/READINGS.md): death ends the readiness like a discharge.
    ends = [t for t in (spell["discharged"], person.died) if t is not None]
    end = min(ends) if ends else None
    d = local_date(min(firsts))
    last = min(until, local_date(end)) if end else until
    while d <= last:
        m = local_midnight(d + ONE_DAY)
        inside = spell["admitted"] < m and (end is None or end >= m)
        ready, delay = readiness_at(spell, m) if inside else (None, None)
        if ready is not None and age_on(person.birth, d) >= 18:
            yield d, person.area_at(m), *((delay["agency"], delay["reason"]) if delay
                                          else ("UNRECORDED", "UNRECORDED"))
        d += ONE_DAY


def delayed_days(state, area, period):
    days, by_agency, by_reason = 0, dict.fromkeys(AGENCIES, 0), dict.fromkeys(REASONS, 0)
    for d, a, agency, reason in state.delays:
        if a == area and period.has(d):
            days += 1
            by_agency[agency] += 1
            by_reason[reason] += 1
    return days, by_agency, by_reason


def ae_attendances(people, area, period):
    """aeAttendances: "count of aeAttended in the period"."""
    return sum(1 for p in people for t in p.ae if in_period(p, t, area, period))


def experience(people, area, period):
    """patientExperience: "per cent of experienceSurveyCompleted in the period with positive true"."""
    rs = [pos for p in people for t, pos in p.surveys if in_period(p, t, area, period)]
    return sum(rs), len(rs)


def nhs_verified(people, area, period):
    """nhsNumberVerified: "per cent of people with any event in the period whose NHS number is
    verified at the period's end". READING: retractions are not events of the period."""
    num = den = 0
    for p in people:
        if any(in_period(p, r["occurredAt"], area, period) for r in p.events):
            den += 1
            num += p.verified_at(period.end)
    return num, den


def professional_coverage(people, area, period):
    """accountableProfessionalCoverage: "per cent of integrated packages open at the end of the
    period that have an accountable professional then". READING (docs/READINGS.md): the area is the
    person's at the period's end; a package of a person who died at or before it is not open."""
    num = den = 0
    e = period.end
    for p in people:
        if p.area_at(e) != area:
            continue
        for k in p.packages.values():
            ended = min(x for x in (k["ended"], p.died, dt.datetime.max.replace(tzinfo=UTC)) if x is not None)
            if k["integrated"] and k["started"] <= e < ended:
                den += 1
                num += any(t <= e for t in k["professionals"])
    return num, den


def assessment_coverage(people, area, period):
    """jointAssessmentCoverage: "per cent of integrated packages started in the period whose
    assessmentId names a completed joint assessment". READING: completed at all (as known)."""
    num = den = 0
    for p in people:
        for k in p.packages.values():
            if k["integrated"] and in_period(p, k["started"], area, period):
                den += 1
                a = p.assessments.get(k.get("assessmentId") or "")
                num += a is not None and a["completed"] is not None
    return num, den


def weekend_discharges(people, area, period):
    """weekendDischargeRatio: "(discharges on weekend days / weekend days in period) / (discharges
    on other days / other days), counting discharges of any destination but DIED"."""
    wk = other = 0
    for p in people:
        for s in p.spells.values():
            t = s["discharged"]
            if t is not None and s["destination"] != "DIED" and in_period(p, t, area, period):
                if is_weekend_day(local_date(t)):
                    wk += 1
                else:
                    other += 1
    wdays = sum(1 for d in period.days() if is_weekend_day(d))
    return wk, other, wdays, sum(1 for _ in period.days()) - wdays


def urgent_response(people, area, period):
    """urgentResponse24h: "per cent of URGENT and CRISIS referrals received in the period answered
    (accepted or declined) within 24 hours" (24 hours exactly still counts)."""
    num = den = 0
    for p in people:
        for f in p.referrals.values():
            if f["urgency"] in ("URGENT", "CRISIS") and in_period(p, f["received"], area, period):
                den += 1
                num += f["answered"] is not None and f["answered"] - f["received"] <= dt.timedelta(hours=24)
    return num, den


# --- values, disclosure control -----------------------------------------------------------------

def population(areas, area, period, band):
    """Populations: the mid-year estimate of the period's financial year's calendar year."""
    for row in areas[area]:
        if row["year"] == period.population_year():
            return {"all": row["age0to17"] + row["age18to64"] + row["age65plus"],
                    "18+": row["age18to64"] + row["age65plus"], "65+": row["age65plus"],
                    "18to64": row["age18to64"]}[band]
    return None


def pct(num, den):
    return None if not den else Fraction(100 * num, den)


def has_data(state, area, period):
    """READING (docs/READINGS.md "No data"): count metrics and rates per population are null when
    no person of the area had any event dated in the period and no delay ran in it."""
    return any(in_period(p, r["occurredAt"], area, period) for p in state.people for r in p.events) or \
        any(a == area and period.has(d) for d, a, _, _ in state.delays)


def rate(count, pop, data, months=1):
    return Fraction(count * 100000, months * pop) if pop and data else None


def exact(state, areas, area, period):
    """metric -> {"value": Fraction|int|None, "counts": [the counts it is computed from],
    "numerator", "denominator", "breakdown"}: the exact figures, before disclosure control.
    READING (docs/READINGS.md "Numerator and denominator"): a rate's numerator is its count and
    its denominator the population (not disclosure-controlled); nonElectiveAdmissions has the
    all-age population as denominator and a ratePer100k; the weekend ratio's numerator and
    denominator are the weekend and other discharges."""
    out, people, data = {}, state.people, has_data(state, area, period)
    n, pop = non_elective(people, area, period), population(areas, area, period, "all")
    out["nonElectiveAdmissions"] = dict(value=n if data else None, counts=[n], numerator=n, denominator=pop,
                                        population=True, ratePer100k=rate(n, pop, data))
    for mid, band, lo, hi in (("permanentAdmissions65", "65+", 65, 10 ** 3),
                              ("permanentAdmissions18to64", "18to64", 18, 64)):
        k, pop = permanent_admission_people(people, area, period, lo, hi), population(areas, area, period, band)
        out[mid] = dict(value=rate(k, pop, data), counts=[k], numerator=k, denominator=pop, population=True)
    num, den = reablement(people, area, period)
    out["reablement91"] = dict(value=pct(num, den), counts=[num, den], numerator=num, denominator=den)
    days, agency, reason = delayed_days(state, area, period)
    pop = population(areas, area, period, "18+")
    out["delayedDays"] = dict(value=rate(days, pop, data, period.months), counts=[days], numerator=days,
                              denominator=pop, population=True, breakdown={"byAgency": agency, "byReason": reason})
    n = ae_attendances(people, area, period)
    out["aeAttendances"] = dict(value=n if data else None, counts=[n], numerator=n, denominator=None)
    for mid, fn in (("patientExperience", experience), ("nhsNumberVerified", nhs_verified),
                    ("accountableProfessionalCoverage", professional_coverage),
                    ("jointAssessmentCoverage", assessment_coverage), ("urgentResponse24h", urgent_response)):
        num, den = fn(people, area, period)
        out[mid] = dict(value=pct(num, den), counts=[num, den], numerator=num, denominator=den)
    wk, other, wdays, odays = weekend_discharges(people, area, period)
    ratio = Fraction(wk * odays, wdays * other) if other and wdays else None
    out["weekendDischargeRatio"] = dict(value=ratio, counts=[wk, other], numerator=wk, denominator=other)
    return out


def round5(n):
    """SPEC Disclosure control: "other counts are shown rounded to the nearest 5"."""
    return 5 * ((n + 2) // 5)


def disclose_count(n):
    """SPEC: "a count of 0 stays 0; a count from 1 to 7 is withheld (null ...)"."""
    if n is None:
        return None
    return None if 1 <= n <= 7 else round5(n)


def disclosed(mid, e):
    """What a commissioner sees: {"value", "suppressed", "numerator", "breakdown"}. "a count from
    1 to 7 is withheld (null, with suppressed: true), and so is any value computed from it ... (a
    metric whose value is a count shows its value rounded too). Rates and percentages are computed
    from the exact counts"."""
    suppressed = any(1 <= c <= 7 for c in e["counts"])
    if suppressed or e["value"] is None:
        value = None
    elif mid in ("nonElectiveAdmissions", "aeAttendances"):
        value = round5(e["value"])
    else:
        value = e["value"]
    den = e["denominator"] if e.get("population") else disclose_count(e["denominator"])
    out = {"value": value, "suppressed": suppressed, "numerator": disclose_count(e["numerator"]), "denominator": den}
    if "ratePer100k" in e:
        out["ratePer100k"] = None if suppressed else e["ratePer100k"]
    if "breakdown" in e:
        out["breakdown"] = {k: {x: disclose_count(n) for x, n in v.items()} for k, v in e["breakdown"].items()}
    return out


# --- payments -----------------------------------------------------------------------------------

def achievement(metric, baseline, target, actual):
    """SPEC Plans: lower-is-better (baseline - actual) / (baseline - target); higher-is-better
    (actual - baseline) / (target - baseline); clamped to [0, 1]; where target = baseline it is 1
    if the actual is at least as good, else 0. READING: no actual (no data) achieves 0."""
    b, t = Fraction(str(baseline)), Fraction(str(target))
    if actual is None:
        return Fraction(0)
    a = Fraction(actual)
    higher = metric in HIGHER
    if t == b:
        return Fraction(1) if (a >= b if higher else a <= b) else Fraction(0)
    x = (a - b) / (t - b) if higher else (b - a) / (b - t)
    return min(Fraction(1), max(Fraction(0), x))


def round_penny(x):
    """"rounded half up to the penny"."""
    pennies = x * 100
    return Fraction(int(pennies + Fraction(1, 2)) if pennies >= 0 else -int(-pennies + Fraction(1, 2)), 100)


def payments(state, areas, area, plan):
    """SPEC Plans and performance payments: per tranche, pot (amountGbp, or (baseline - target) x
    unitCostGbp of its single metric), weighted achievement, earned (half up to the penny),
    withheld = pot - earned, recoveryPlanRequired below 0.70."""
    targets = {(t["metric"], t["period"]): t for t in plan["targets"]}
    cache, tranches = {}, []
    for tr in plan["tranches"]:
        period = Period(tr["period"])
        if tr["period"] not in cache:
            cache[tr["period"]] = exact(state, areas, area, period)
        rows, wsum, wach = [], Fraction(0), Fraction(0)
        for m in tr["metrics"]:
            tg = targets[(m["metric"], tr["period"])]
            actual = cache[tr["period"]][m["metric"]]["value"]
            ach = achievement(m["metric"], tg["baseline"], tg["target"], actual)
            w = Fraction(str(m["weight"]))
            wsum, wach = wsum + w, wach + w * ach
            rows.append({"metric": m["metric"], "actual": actual, "achievement": ach})
        if "amountGbp" in tr:
            pot = Fraction(str(tr["amountGbp"]))
        else:
            tg = targets[(tr["metrics"][0]["metric"], tr["period"])]
            # READING (docs/READINGS.md): |baseline - target|, so that a higher-is-better metric's
            # pot is not negative.
            pot = abs(Fraction(str(tg["baseline"])) - Fraction(str(tg["target"]))) * Fraction(str(tr["unitCostGbp"]))
        weighted = wach / wsum
        # READING (docs/READINGS.md): the pot is money, so a unit-cost pot with a fraction of a
        # penny ((b - t) x 123.45) is rounded half up to the penny first; earned is computed from it.
        pot = round_penny(pot)
        earned = round_penny(pot * weighted)
        tranches.append({"id": tr["id"], "pot": pot, "achievement": weighted, "earned": earned,
                         "withheld": pot - earned, "recoveryPlanRequired": weighted < Fraction(7, 10),
                         "metrics": rows})
    return tranches


class State:
    """Everyone's visible history as of an instant (None: now), with their delayed days up to
    `until` (a local date) computed once."""

    def __init__(self, records_by_person, as_of=None, until=dt.date(2017, 3, 31)):
        self.people = []
        for nhs, recs in records_by_person.items():
            vis = visible(recs, as_of)
            if vis:
                self.people.append(Person(nhs, vis))
        self.delays = [x for p in self.people for s in p.spells.values() for x in delayed_days_of(p, s, until)]
