#!/usr/bin/env python3
"""Differential test of the outcome metrics and payments: random but valid person histories with
times at the calendar's edges are posted to a real `carelog serve`, then every metric of API.md
(months, quarters, years, both areas, as of instants between the recordings) and the payments of
plans with many tranches are compared with the reference computation of oracle.py.

  differential.py --binary build/carelog [--seed 1] [--people 60] [--full] [--verbose]
  differential.py --binary build/carelog --seed 4 --people 80 --isolate

Three recording phases (late events and retractions in the 2nd and 3rd, the plans replaced and the
mid-2015 populations revised before the 3rd); figures are asked as of an instant after each of
the first two phases and now. `--isolate` gives every person two areas of their own and compares
the payments only (their tranches show every metric's exact actual): a disagreement then names
the person (slow: minutes). Deterministic from the seed (the histories, the plans; the recording
instants are the server's). Prints one FAIL line per disagreement and a summary; exits 1 when any
figure differs. Standard library only (python3)."""

import argparse
import csv
import datetime as dt
import io
import os
import pathlib
import shutil
import sys
import tempfile
import time
import urllib.parse
from fractions import Fraction

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import check  # noqa: E402 - Server, make_tokens
import lib  # noqa: E402
import oracle  # noqa: E402
import plans as plan_maker  # noqa: E402
from generator import Generator  # noqa: E402
from plans import periods_of  # noqa: E402

AREAS = ["E09900201", "E09900202"]
# Not round: rates over them have large, mostly coprime denominators, as in a real area, which the
# payments' exact arithmetic must carry through the weighted tranche on every metric.
POPULATIONS = {
    AREAS[0]: [{"year": 2014, "age0to17": 21011, "age18to64": 61027, "age65plus": 19031},
               {"year": 2015, "age0to17": 21517, "age18to64": 62549, "age65plus": 19709},
               {"year": 2016, "age0to17": 22003, "age18to64": 63013, "age65plus": 20327}],
    AREAS[1]: [{"year": 2014, "age0to17": 9001, "age18to64": 30011, "age65plus": 8009},
               {"year": 2015, "age0to17": 9103, "age18to64": 30529, "age65plus": 8419},
               {"year": 2016, "age0to17": 9209, "age18to64": 31013, "age65plus": 8821}]}
YEARS = ["2014-15", "2015-16"]
# as-of instants are written with these offsets (the same instant: RFC 3339 with any offset)
OFFSETS = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=30))]


def parse_time(text):
    """RFC 3339 -> aware UTC datetime (fractions of a second beyond microseconds cut)."""
    text = text.replace("Z", "+00:00")
    if "." in text:
        head, rest = text.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{(digits + '000000')[:6]}{rest[len(digits):]}"
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


class Run:
    def __init__(self, api, tokens, results, areas, populations):
        self.api, self.t, self.r = api, tokens, results
        self.areas, self.pops = areas, populations
        self.last = 0

    def seen(self, resp):
        if resp.status in (200, 201) and isinstance(resp.json, dict):
            self.last = max(self.last, resp.json.get("lastPosition") or 0)
        return resp

    def get(self, path, token):
        sep = "&" if "?" in path else "?"
        resp = self.api.get(f"{path}{sep}minPosition={self.last}", token)
        if resp.status != 200:
            raise RuntimeError(f"GET {path}: {resp}")
        return resp.json

    def put(self, path, body):
        resp = self.seen(self.api.req("PUT", path, body, token=self.t["admin"]))
        if resp.status not in (200, 201):
            raise RuntimeError(f"PUT {path}: {resp}")

    def feed(self):
        """Every recorded event, as the oracle takes them (with the server's recordedAt)."""
        out, after = {}, 0
        while True:
            page = self.get(f"/v1/events?after={after}&limit=1000", self.t["admin"])
            for e in page["events"]:
                after = e["position"]
                if not e.get("nhsNumber"):
                    continue  # an area's or a plan's change
                kind = next(k for k in e if k not in ("position", "nhsNumber", "version", "eventId",
                                                       "occurredAt", "recordedAt", "recordedBy"))
                out.setdefault(e["nhsNumber"], []).append(
                    {"nhs": e["nhsNumber"], "version": e["version"], "eventId": e["eventId"],
                     "occurredAt": parse_time(e["occurredAt"]), "recordedAt": parse_time(e["recordedAt"]),
                     "type": kind, "payload": e[kind]})
            if not page["events"]:
                return out


# --- comparison ---------------------------------------------------------------------------------

def same_number(got, want, tol=Fraction(1, 10 ** 6)):
    if want is None or got is None:
        return got is None and want is None
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return abs(Fraction(got) - Fraction(want)) <= tol * max(1, abs(Fraction(want)))


def show(x):
    return float(x) if isinstance(x, Fraction) else x


def compare_entry(r, where, mid, got, want, exact, plan_target):
    r.check(f"{where} {mid} value", same_number(got.get("value"), want["value"]),
            f"got {got.get('value')!r}, want {show(want['value'])!r} (exact {exact['counts']})")
    r.eq(f"{where} {mid} suppressed", got.get("suppressed"), want["suppressed"])
    r.check(f"{where} {mid} numerator", same_number(got.get("numerator"), want["numerator"]),
            f"got {got.get('numerator')!r}, want {want['numerator']!r} (exact {exact['numerator']})")
    den = want.get("denominator")
    r.check(f"{where} {mid} denominator", same_number(got.get("denominator"), den),
            f"got {got.get('denominator')!r}, want {den!r} (exact {exact['denominator']})")
    if "ratePer100k" in want:
        r.check(f"{where} {mid} ratePer100k", same_number(got.get("ratePer100k"), want["ratePer100k"]),
                f"got {got.get('ratePer100k')!r}, want {show(want['ratePer100k'])!r}")
    r.eq(f"{where} {mid} direction", got.get("direction"), "HIGHER" if mid in oracle.HIGHER else "LOWER")
    b, t = plan_target or (None, None)
    r.check(f"{where} {mid} baseline/target", same_number(got.get("baseline"), b)
            and same_number(got.get("target"), t), f"got {got.get('baseline')}/{got.get('target')}, want {b}/{t}")
    if "breakdown" in want:
        for key, counts in want["breakdown"].items():
            g = (got.get("breakdown") or {}).get(key) or {}
            bad = {k: (g.get(k), v) for k, v in counts.items() if g.get(k) != v}
            r.check(f"{where} {mid} {key}", not bad,
                    f"(got, want) {bad}; exact {exact['breakdown'][key]}")


def plan_targets(plans, area, period):
    """(metric) -> (baseline, target) of the plan of the period's financial year, or {}."""
    plan = plans.get((area, oracle.Period(period).fy_start))
    if not plan:
        return {}
    return {t["metric"]: (t["baseline"], t["target"]) for t in plan["targets"] if t["period"] == period}


def compare_metrics(run, state, as_of, plans, full):
    for area in run.areas:
        for year in YEARS:
            for period in periods_of(year) if full else periods_of(year)[:5]:
                q = f"/v1/areas/{area}/metrics?period={period}"
                if as_of:
                    q += "&asOf=" + urllib.parse.quote(as_of)
                body = run.get(q, run.t["commissioner"])
                got = {m["metric"]: m for m in body["metrics"]}
                ex = oracle.exact(state, run.pops, area, oracle.Period(period))
                targets = plan_targets(plans, area, period)
                where = f"{area} {period} asOf={as_of or 'now'}"
                run.r.eq(f"{where} metric ids", sorted(got), sorted(oracle.METRICS))
                for mid in oracle.METRICS:
                    want = oracle.disclosed(mid, ex[mid])
                    compare_entry(run.r, where, mid, got.get(mid, {}), want, ex[mid], targets.get(mid))


def compare_series(run, state, plans):
    gran = {"month": lambda y: periods_of(y)[5:], "quarter": lambda y: periods_of(y)[1:5], "year": lambda y: [y]}
    for area in run.areas:
        for mid in oracle.METRICS:
            for g, of in gran.items():
                first, last = of(YEARS[0])[0], of(YEARS[-1])[-1]
                body = run.get(f"/v1/areas/{area}/metrics/{mid}?from={first}&to={last}&granularity={g}",
                               run.t["commissioner"])
                want_periods = [p for y in YEARS for p in of(y)]
                got = {p["period"]: p for p in body["points"]}
                run.r.eq(f"{area} {mid} {g} series periods", [p["period"] for p in body["points"]], want_periods)
                for period in want_periods:
                    ex = oracle.exact(state, run.pops, area, oracle.Period(period))[mid]
                    want = oracle.disclosed(mid, ex)
                    p = got.get(period, {})
                    where = f"{area} {period} series"
                    run.r.check(f"{where} {mid} value", same_number(p.get("value"), want["value"]),
                                f"got {p.get('value')!r}, want {show(want['value'])!r} (exact {ex['counts']})")
                    run.r.eq(f"{where} {mid} suppressed", p.get("suppressed"), want["suppressed"])
                    run.r.check(f"{where} {mid} numerator", same_number(p.get("numerator"), want["numerator"]),
                                f"got {p.get('numerator')!r}, want {want['numerator']!r}")
                    t = plan_targets(plans, area, period).get(mid)
                    run.r.check(f"{where} {mid} target", same_number(p.get("target"), t and t[1]),
                                f"got {p.get('target')!r}, want {t and t[1]!r}")


def csv_number(text):
    return None if text in ("", "null") else float(text)


def compare_csv(run, state, plans):
    """metrics.csv: every row as the series shows it (values, counts, suppression, baseline, target)."""
    for area in run.areas:
        for g, first, last in (("month", "2014-04", "2016-03"), ("quarter", "2014-15-Q1", "2015-16-Q4"),
                               ("year", "2014-15", "2015-16")):
            q = f"/v1/areas/{area}/metrics.csv?from={first}&to={last}&granularity={g}&minPosition={run.last}"
            resp = run.api.get(q, run.t["commissioner"])
            rows = list(csv.DictReader(io.StringIO(resp.text)))
            run.r.eq(f"{area} csv {g} rows", len(rows), 12 * {"month": 24, "quarter": 8, "year": 2}[g])
            cache = {}
            for row in rows:
                period, mid = row.get("period"), row.get("metric")
                if period not in cache:
                    cache[period] = oracle.exact(state, run.pops, area, oracle.Period(period))
                want = oracle.disclosed(mid, cache[period][mid])
                bt = plan_targets(plans, area, period).get(mid) or (None, None)
                got = (csv_number(row["value"]), csv_number(row["numerator"]), row["suppressed"],
                       csv_number(row["baseline"]), csv_number(row["target"]))
                ok = same_number(got[0], want["value"]) and same_number(got[1], want["numerator"]) and \
                    got[2] == str(want["suppressed"]).lower() and same_number(got[3], bt[0]) and \
                    same_number(got[4], bt[1])
                run.r.check(f"{area} {period} csv {mid}", ok,
                            f"got {got}, want {(show(want['value']), want['numerator'], want['suppressed'], *bt)}")


def compare_payments(run, state, as_of, plans):
    for area in run.areas:
        for year in YEARS:
            plan = plans.get((area, int(year[:4])))
            q = f"/v1/areas/{area}/payments/{year}"
            if as_of:
                q += "?asOf=" + urllib.parse.quote(as_of)
            body = run.get(q, run.t["commissioner"])
            want = {t["id"]: t for t in oracle.payments(state, run.pops, area, plan)}
            got = {t["id"]: t for t in body["tranches"]}
            where = f"{area} payments {year} asOf={as_of or 'now'}"
            run.r.eq(f"{where} tranche ids", sorted(got), sorted(want))
            for tid, w in want.items():
                g = got.get(tid, {})
                for field, key, tol in (("potGbp", "pot", Fraction(1, 1000)),
                                        ("earnedGbp", "earned", Fraction(1, 1000)),
                                        ("withheldGbp", "withheld", Fraction(1, 1000)),
                                        ("achievement", "achievement", Fraction(1, 10 ** 9))):
                    ok = g.get(field) is not None and abs(Fraction(g[field]) - w[key]) <= tol
                    run.r.check(f"{where} {tid} {field}", ok, f"got {g.get(field)!r}, want {show(w[key])!r}; "
                                f"metrics {[(m['metric'], show(m['actual'])) for m in w['metrics']]}")
                run.r.eq(f"{where} {tid} recoveryPlanRequired", g.get("recoveryPlanRequired"),
                         w["recoveryPlanRequired"])
                gm = {m["metric"]: m for m in g.get("metrics", [])}
                for m in w["metrics"]:
                    x = gm.get(m["metric"], {})
                    run.r.check(f"{where} {tid} {m['metric']} actual", same_number(x.get("actual"), m["actual"]),
                                f"got {x.get('actual')!r}, want {show(m['actual'])!r}")
                    run.r.check(f"{where} {tid} {m['metric']} achievement",
                                same_number(x.get("achievement"), m["achievement"]),
                                f"got {x.get('achievement')!r}, want {show(m['achievement'])!r}")
            total = sum((w["earned"] for w in want.values()), Fraction(0))
            run.r.check(f"{where} totalEarnedGbp", same_number(body.get("totalEarnedGbp"), total, Fraction(1, 10 ** 9)),
                        f"got {body.get('totalEarnedGbp')!r}, want {show(total)}")
            withheld = sum((w["withheld"] for w in want.values()), Fraction(0))
            run.r.check(f"{where} totalWithheldGbp",
                        same_number(body.get("totalWithheldGbp"), withheld, Fraction(1, 10 ** 9)),
                        f"got {body.get('totalWithheldGbp')!r}, want {show(withheld)}")


# --- the run ------------------------------------------------------------------------------------

def pause_instant():
    """An instant strictly between the recordings before and after it (whole seconds)."""
    time.sleep(1.2 - (time.time() % 1))
    at = dt.datetime.fromtimestamp(int(time.time()), dt.timezone.utc)
    time.sleep(1.1)
    return at


def record(run, gen, plans_by_phase):
    """Posts the phases of every history, each person's events of a phase in one request; the
    plans of a phase are put before its events. Returns the as-of instants between phases."""
    instants = []
    for phase in (1, 2, 3):
        for (area, fy), plan in plans_by_phase.get(phase, {}).items():
            run.put(f"/v1/areas/{area}/plans/{fy}-{(fy + 1) % 100:02d}", plan)
        now = lib.utcnow()
        for nhs, events in gen.requests(phase, now):
            resp = run.seen(run.api.req("POST", f"/v1/people/{nhs}/events", {"events": events},
                                        token=run.t["practitioner"]))
            run.r.check(f"phase {phase} POST {nhs} ({len(events)} events) accepted", resp.status == 201,
                        f"{resp}\n    events: {events}")
        if phase < 3:
            instants.append(pause_instant())
        if phase == 2:  # the mid-2015 estimates revised: as-of views before keep the old ones
            for area in run.areas:
                run.put(f"/v1/areas/{area}", {"name": f"Differential {area}", "population": revised(run.pops[area])})
    return instants


def revised(rows):
    return [dict(r, age18to64=r["age18to64"] - 700, age65plus=r["age65plus"] + 500) if r["year"] == 2015 else r
            for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--people", type=int, default=60)
    ap.add_argument("--full", action="store_true", help="every month at every as-of instant")
    ap.add_argument("--isolate", action="store_true",
                    help="two areas of its own per person, payments only: a disagreement names its person")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    r = lib.Results(args.verbose)
    r.check = quiet_check(r, args.verbose)
    tmp = tempfile.mkdtemp(prefix="carelog-differential-")
    server = None
    t0 = time.time()
    try:
        binary = os.path.abspath(args.binary)
        gen = Generator(args.seed, args.people, AREAS)
        areas, pops = AREAS, POPULATIONS
        if args.isolate:
            areas, pops = isolate(gen)
        tokens_file = os.path.join(tmp, "tokens.json")
        tokens = check.make_tokens(binary, tokens_file, areas, "E09900299")
        server = check.Server([binary, "serve", "--data", os.path.join(tmp, "data"), "--listen", "127.0.0.1:0",
                               "--tokens", tokens_file])
        run = Run(lib.Api(server.url), tokens, r, areas, pops)
        for area in areas:
            run.put(f"/v1/areas/{area}", {"name": f"Differential {area}", "population": pops[area]})
        plans = plan_maker.plans(args.seed, gen.virtual_records(), pops, areas, YEARS)
        instants = record(run, gen, plans)
        records = run.feed()
        lib.log(f"recorded {sum(map(len, records.values()))} events of {len(records)} people "
                f"in {time.time() - t0:.0f} s")
        for k, at in enumerate(instants + [None]):
            as_of = None if at is None else at.astimezone(OFFSETS[k]).isoformat()
            if at is None:
                run.pops = {a: revised(p) for a, p in pops.items()}
            state = oracle.State(records, at)
            in_force = {}
            for phase in range(1, k + 2):
                in_force.update(plans.get(phase, {}))
            if not args.isolate:
                compare_metrics(run, state, as_of, in_force, full=args.full or at is None)
            compare_payments(run, state, as_of, in_force)
            if at is None and not args.isolate:
                compare_series(run, state, in_force)
                compare_csv(run, state, in_force)
        r.scenario = "shutdown"
        r.eq("SIGTERM after the run exits 0", server.stop(), 0)
        server = None
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{r.passed} agreed, {len(r.failed)} differ in {time.time() - t0:.0f} s")
    sys.exit(1 if r.failed else 0)


def isolate(gen):
    """Gives every person two areas of their own (E099100.., as the person's index)."""
    areas, pops = [], {}
    for i, s in enumerate(gen.stories):
        mine = {a: f"E099{10000 + 2 * i + k:05d}" for k, a in enumerate(AREAS)}
        for e in s.events:
            if "areaCode" in e["payload"]:
                e["payload"]["areaCode"] = mine[e["payload"]["areaCode"]]
        areas += mine.values()
        pops.update({mine[a]: POPULATIONS[a] for a in AREAS})
        lib.log(f"{s.nhs}: {' '.join(mine.values())}")
    return areas, pops


def quiet_check(r, verbose):
    """Results.check printing only the disagreements (and the agreements with --verbose)."""
    def check_(name, cond, detail=""):
        if cond:
            r.passed += 1
            if verbose:
                print(f"PASS {name}", flush=True)
        else:
            r.failed.append(name)
            print(f"FAIL {name}  -- {str(detail)[:900]}", flush=True)
        return bool(cond)
    return check_


if __name__ == "__main__":
    main()
