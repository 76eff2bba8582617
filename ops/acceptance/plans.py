"""Plans for the differential test (differential.py): per area and financial year, a tranche of a
fixed amount for every metric and period of the year (so that the payments show every exact
actual), the quarterly `unitCostGbp` tranches of the July 2014 scheme, `unitCostGbp` tranches on
delayedDays and on reablement91 (higher is better) and a weighted tranche on all metrics (weights and
plan figures with up to 6 decimals, as SPEC allows, so that the exact sums have large denominators).
Baselines and targets are put around the oracle's actual so that achievements fall inside (0, 1), above, below, and on target = baseline.
Deterministic from the seed. Standard library only."""

import random

import oracle


def target_pair(rng, actual, higher):
    """(baseline, target) to 2, 4 or 6 decimals (SPEC's plan figures are taken to 6), of a kind drawn
    at random."""
    if actual is None:
        return (5, 10) if higher else (10, 5)
    x = float(actual)
    span = max(abs(x) * rng.uniform(0.05, 0.5), 1.0)
    kind = rng.choice(["inside", "inside", "over", "under", "equal", "equal_worse", "equal_better"])
    sign = -1 if higher else 1  # lower-is-better: the baseline above the actual
    if kind == "inside":
        b, t = x + sign * span * rng.uniform(0.1, 1), x - sign * span * rng.uniform(0.1, 1)
    elif kind == "over":
        b, t = x + sign * span, x + sign * span / 3
    elif kind == "under":
        b, t = x - sign * span / 3, x - sign * span
    elif kind == "equal":
        b = t = x
    else:
        b = t = x + (sign if kind == "equal_better" else -sign) * span
    places = rng.choice([2, 2, 4, 6])
    return round(b, places), round(t, places)


def periods_of(year):
    y = int(year[:4])
    months = [f"{y + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)]
    return [year] + [f"{year}-Q{q}" for q in range(1, 5)] + months


def plan(rng, state, populations, area, year):
    targets, tranches = [], []
    for period in periods_of(year):
        ex = oracle.exact(state, populations, area, oracle.Period(period))
        for mid in oracle.METRICS:
            b, t = target_pair(rng, ex[mid]["value"], mid in oracle.HIGHER)
            targets.append({"metric": mid, "period": period, "baseline": b, "target": t})
            tranches.append({"id": f"{mid}@{period}", "period": period,
                             "amountGbp": round(rng.uniform(1000, 99999), 2),
                             "metrics": [{"metric": mid, "weight": 1}]})
    for q in range(1, 5):
        tranches.append({"id": f"ne-Q{q}", "period": f"{year}-Q{q}", "unitCostGbp": 1490,
                         "metrics": [{"metric": "nonElectiveAdmissions", "weight": 1}]})
    tranches.append({"id": "dd-year", "period": year, "unitCostGbp": 123.45,
                     "metrics": [{"metric": "delayedDays", "weight": 1}]})
    tranches.append({"id": "r91-year", "period": year, "unitCostGbp": 2500,
                     "metrics": [{"metric": "reablement91", "weight": 1}]})
    tranches.append({"id": "weighted", "period": year, "amountGbp": 1850000.01,
                     "metrics": [{"metric": m, "weight": rng.choice([1, 2, 3, 0.5, 0.333333, 0.142857])} for m in oracle.METRICS]})
    return {"allocationGbp": 14000000, "performanceElementGbp": 3700000,
            "conditions": {"plansJointlyAgreed": True, "socialCareProtected": True, "acuteImpactAgreed": False},
            "targets": targets, "tranches": tranches}


def plans(seed, records, populations, areas, years):
    """phase -> {(area, first calendar year of the financial year): plan}: the plans put before
    phase 1 (from what phase 1 records) and replaced before phase 3 (from everything)."""
    rng = random.Random(seed * 7919 + 1)
    out = {}
    for phase, as_of in ((1, 1), (3, None)):
        state = oracle.State(records, as_of)
        out[phase] = {(a, int(y[:4])): plan(rng, state, populations, a, y) for a in areas for y in years}
    return out
