"""The national conditions scorecard (API.md `GET /v1/areas/{areaCode}/conditions?period=P`)
compared with the reference computation, for worklists_differential.py: the metric entries with
oracle.py, the weekend share of assessments and the packages without a professional with
oracle_worklists.py, and the plan's statements echoed. Standard library only."""

import urllib.parse
from fractions import Fraction

import oracle
import oracle_worklists as ow
from differential import Run, compare_entry, same_number

ENTRIES = {"nhsNumberVerified": ("nhsNumberVerified",), "jointAssessmentCoverage": ("jointAssessmentCoverage",),
           "accountableProfessionalCoverage": ("accountableProfessionalCoverage",),
           "weekendDischargeRatio": ("sevenDayServices", "weekendDischargeRatio")}
STATEMENTS = ("plansJointlyAgreed", "socialCareProtected", "acuteImpactAgreed")


def fy(y, m):
    start = y if m >= 4 else y - 1
    return f"{start}-{(start + 1) % 100:02d}"


def periods(window):
    """The month, quarter and financial year of the window's first day (ended by the last query)
    and the month after it (in progress)."""
    d, n = window.first, window.month_start
    return [f"{d:%Y-%m}", f"{fy(d.year, d.month)}-Q{(d.month - 4) % 12 // 3 + 1}", fy(d.year, d.month), f"{n:%Y-%m}"]


def plans(areas, window):
    """Area 0 states its conditions in the plan of the window's year and sets targets for its first
    month; area 1 states them in the plan of the next month's year and sets a target for it."""
    def plan(conditions, targets):
        return {"allocationGbp": 1000000, "performanceElementGbp": 250000, "conditions": conditions,
                "targets": targets, "tranches": [{"id": "T1", "period": targets[0]["period"], "amountGbp": 1000,
                                                  "metrics": [{"metric": targets[0]["metric"], "weight": 1}]}]}
    month, _, year, after = periods(window)
    return {(areas[0], year): plan({"plansJointlyAgreed": True, "socialCareProtected": False,
                                    "acuteImpactAgreed": True},
                                   [{"metric": "weekendDischargeRatio", "period": month, "baseline": 0.8,
                                     "target": 0.95},
                                    {"metric": "nhsNumberVerified", "period": month, "baseline": 90, "target": 95}]),
            (areas[1], fy(window.month_start.year, window.month_start.month)): plan(
                {"plansJointlyAgreed": False, "socialCareProtected": True},
                [{"metric": "accountableProfessionalCoverage", "period": after, "baseline": 50, "target": 70}])}


def disclosed_pct(num, den):
    """SPEC Disclosure control for a percentage: its counts withheld 1..7 (and the value with
    them), else rounded to 5; the value from the exact counts."""
    suppressed = any(1 <= c <= 7 for c in (num, den))
    value = None if suppressed or not den else Fraction(100 * num, den)
    return {"value": value, "suppressed": suppressed, "numerator": oracle.disclose_count(num),
            "denominator": oracle.disclose_count(den)}


def targets_of(plan_set, area, period):
    """READING (Conditions scorecard): targets chosen as /metrics chooses them: the period's own
    year's plan, then the next year's, then the previous year's."""
    fy = oracle.Period(period).fy_start
    for y in (fy, fy + 1, fy - 1):
        plan = plan_set.get((area, f"{y}-{(y + 1) % 100:02d}"))
        if plan:
            return {t["metric"]: (t["baseline"], t["target"]) for t in plan["targets"] if t["period"] == period}
    return {}


def compare(r, api, tokens, areas, pops, window, now, last):
    run = Run(api, tokens, r, areas, pops)
    run.last = last
    state = oracle.State(run.feed())
    plan_set = plans(areas, window)
    for area in areas:
        for period in periods(window):
            body = run.get(f"/v1/areas/{area}/conditions?period={urllib.parse.quote(period)}", tokens["commissioner"])
            got, where = body.get("conditions") or {}, f"conditions {area} {period}"
            p = oracle.Period(period)
            plan = plan_set.get((area, f"{p.fy_start}-{(p.fy_start + 1) % 100:02d}"))
            for s in STATEMENTS:  # SPEC: "with the plan's own statements"; READING: null without a plan
                r.eq(f"{where} {s}", got.get(s), plan and plan["conditions"].get(s))
            ex = oracle.exact(state, pops, area, p)
            wk, other = ow.weekend_ratio_days(p, now)
            w = ex["weekendDischargeRatio"]
            w["value"] = Fraction(w["numerator"] * other, wk * w["denominator"]) if w["denominator"] and wk else None
            targets = targets_of(plan_set, area, period)
            for mid, path in ENTRIES.items():
                g = got
                for k in path:
                    g = (g or {}).get(k) or {}
                compare_entry(r, where, mid, g, oracle.disclosed(mid, ex[mid]), ex[mid], targets.get(mid))
            num, den = ow.weekend_assessment_share(state.people, area, p)
            g = (got.get("sevenDayServices") or {}).get("weekendAssessmentShare") or {}
            want = disclosed_pct(num, den)
            for k in ("value", "numerator", "denominator"):
                r.check(f"{where} weekendAssessmentShare {k}", same_number(g.get(k), want[k]),
                        f"got {g}, want {want} (exact {num}/{den})")
            r.eq(f"{where} weekendAssessmentShare suppressed", g.get("suppressed"), want["suppressed"])
            count, days = ow.packages_without(state.people, area, p, now)
            g = got.get("packagesWithoutAccountableProfessional") or {}
            hidden = 1 <= count <= 7
            want = {"count": oracle.disclose_count(count), "suppressed": hidden,
                    "totalDays": None if hidden else oracle.round5(days),
                    "averageDays": None if hidden or not count else Fraction(days, count)}
            for k, v in want.items():
                ok = g.get(k) == v if k == "suppressed" else same_number(g.get(k), v)
                r.check(f"{where} packagesWithoutAccountableProfessional {k}", ok,
                        f"got {g}, want {want} (exact {count} packages, {days} days)")
