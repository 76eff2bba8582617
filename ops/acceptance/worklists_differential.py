#!/usr/bin/env python3
"""Differential test of SPEC.md "Worklists" (API.md's three worklist routes) and the "National
conditions scorecard": random but valid histories around Easter 2016 (Good Friday, the clocks going
forward on 27 March, Easter Monday, the end of March), the autumn 2015 clock change and Christmas
2015, with discharges to reablement 91 days before, are recorded as time passes: the server is
restarted on the same data with CARELOG_NOW at instants just before and just after London
midnights, each time given the events that have happened by then (some people's one stop late, a
few retracted later), and every worklist of both areas (and of each site) is compared with
oracle_worklists.py; at the last instant the scorecard too (scorecard_differential.py).

  worklists_differential.py --binary build/carelog [--seed 1] [--people 40] [--window easter|...|all]
                            [--ahead SECONDS]

With --ahead, events occurring up to that many seconds after the server's clock are recorded
(SPEC.md allows 5 minutes) and the oracle judges "now" by what has occurred by then (some are
still to occur at the next restart, 33 s later, either side of a midnight); a retraction of
such an event occurs with it.

Prints one FAIL line per disagreement; exits 1 when any differs. Standard library only."""

import argparse
import datetime as dt
import os
import pathlib
import random
import shutil
import sys
import tempfile
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import check  # noqa: E402
import lib  # noqa: E402
import oracle_worklists as ow  # noqa: E402
import scorecard_differential as scorecard  # noqa: E402
from differential import parse_time, quiet_check  # noqa: E402
from oracle_history import UTC, local_midnight  # noqa: E402

AREAS = ["E09900211", "E09900212"]
SITES = ["Queen's", "King George"]
POPULATIONS = {a: [{"year": y, "age0to17": 1000, "age18to64": 5000, "age65plus": 900} for y in (2015, 2016)]
               for a in AREAS}
SEC, DAY = dt.timedelta(seconds=1), dt.timedelta(days=1)


class Window:
    """The days a run looks at: five London days from `first` and the first of the next month, with
    the instant the clocks change among them (if any); dates of the histories are relative to it."""

    def __init__(self, first, change=None):
        self.first, self.change = first, change
        self.month_start = (first.replace(day=1) + 32 * DAY).replace(day=1)

    def days(self, lo, hi):
        return self.first + lo * DAY, self.first + hi * DAY

    def queries(self):
        """Instants 30 s before and 3 s after the midnights that begin the days, either side of the
        clock change, and noon of the day after the first of the month."""
        out = []
        for d in [self.first + k * DAY for k in range(5)] + [self.month_start]:
            m = local_midnight(d)
            out += [m - 30 * SEC, m + 3 * SEC]
        if self.change:
            out += [self.change - 30 * SEC, self.change + 3 * SEC]
        return sorted(out + [local_midnight(self.month_start + DAY) + 12 * 3600 * SEC])


# Easter 2016 (Good Friday, clocks forward on Sunday 27 March, Easter Monday, the end of the
# financial year), autumn 2015 (clocks back on Sunday 25 October), Christmas 2015 (the substitute
# Boxing Day on Monday 28 December, New Year's Day)
WINDOWS = {"easter": Window(dt.date(2016, 3, 25), dt.datetime(2016, 3, 27, 1, tzinfo=UTC)),
           "autumn": Window(dt.date(2015, 10, 23), dt.datetime(2015, 10, 25, 1, tzinfo=UTC)),
           "christmas": Window(dt.date(2015, 12, 24))}
# events nothing else stands on (a discharge: home from the spell of the Easter days)
RETRACTABLE = ("dischargeDelayRecorded", "readyForDischargeWithdrawn", "accountableProfessionalAssigned",
               "carePackageEnded", "personMoved", "personDied", "discharged")


class Story:
    def __init__(self, rng, nhs, window):
        self.rng, self.nhs, self.events, self.window = rng, nhs, [], window
        self.queries = window.queries()
        self.lag = 1 if rng.random() < 0.2 else 0
        self.retract = None  # (event, how many queries after it is posted)
        self.n = 0

    def moment(self, lo, hi):
        """An instant between two days of the window, often at a London midnight or a second
        either side."""
        rng = self.rng
        first, last = self.window.days(lo, hi)
        d = first + DAY * rng.randrange((last - first).days + 1)
        m = local_midnight(d)
        t = rng.choice([m, m + SEC, local_midnight(d + DAY) - SEC, m + dt.timedelta(hours=12),
                        m + dt.timedelta(seconds=rng.randrange(86400))])
        change = self.window.change
        if change and d == change.date() and rng.random() < 0.3:
            t = change + rng.choice([-SEC, 0 * SEC, SEC])
        if any(q < t <= q + 20 * SEC for q in self.queries):  # not while a query is being asked
            t += 60 * SEC
        return t

    def later(self, t, days=4):
        k = (ow.local_date(t) - self.window.first).days
        for _ in range(50):
            u = self.moment(k, k + days)
            if u > t:
                return u
        return t + dt.timedelta(minutes=7)

    def add(self, t, kind, payload):
        self.events.append({"t": t, "type": kind, "payload": payload,
                            "eventId": str(uuid.UUID(int=self.rng.getrandbits(128), version=4))})
        return t

    def new_id(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"


def story(rng, nhs, window):
    s = Story(rng, nhs, window)
    start = local_midnight(window.first - 145 * DAY) + dt.timedelta(seconds=rng.randrange(40 * 86400))
    s.add(start, "personRegistered", {"birthDate": f"{rng.randrange(1920, 2000)}-05-17", "areaCode": rng.choice(AREAS),
                                      "gpPractice": "F82001",
                                      "nhsNumberStatus": rng.choice(["VERIFIED", "UNVERIFIED"])})
    if s.events[0]["payload"]["nhsNumberStatus"] == "UNVERIFIED" and rng.random() < 0.5:
        s.add(s.moment(0, 8), "nhsNumberVerified", {})
    if rng.random() < 0.6:  # a discharge whose day 91 falls around the query dates
        sid = s.new_id("S")
        t = s.add(s.moment(-95, -87), "hospitalAdmitted",
                  {"spellId": sid, "provider": "RF4", "site": rng.choice(SITES), "method": "EMERGENCY"})
        on = s.moment(-93, -82)
        t = s.add(on if on > t and rng.random() < 0.8 else s.later(t), "discharged",
                  {"spellId": sid, "destination": rng.choice(["REABLEMENT", "REHABILITATION_BED", "USUAL_RESIDENCE"])})
        if s.events[-1]["payload"]["destination"] in ow.REABLEMENT and rng.random() < 0.4:
            s.add(s.moment(-5, 8), "followUpRecorded",
                  {"spellId": sid, "status": "AT_HOME"})
    for _ in range(rng.choice([0, 1, 1, 2])):
        package(s, rng)
    if rng.random() < 0.75:
        spell(s, rng)
    last = max(e["t"] for e in s.events)
    if rng.random() < 0.15:
        other = next(a for a in AREAS if a != s.events[0]["payload"]["areaCode"])
        s.add(s.later(last, 2), "personMoved", {"areaCode": other})
    if rng.random() < 0.1:
        s.add(s.later(max(e["t"] for e in s.events), 2), "personDied", {})
    # a discharge before the window stands under the next admission
    free = [e for e in s.events if e["type"] in RETRACTABLE and (e["type"] != "discharged" or
                                                                   e["t"] > local_midnight(window.first - 30 * DAY))]
    for e in free + [e for e in s.events if e["type"] in ("followUpRecorded", "nhsNumberVerified")]:
        if rng.random() < 0.15:  # recorded late: after events that happened after it
            e["late"] = rng.randint(1, 2)
    undo = free
    if undo and rng.random() < 0.3:  # retracted a few stops after it is recorded
        s.retract = (rng.choice(undo), rng.randint(1, 4))
    return s


def package(s, rng):
    pid, payload = s.new_id("PK"), {}
    t = s.moment(-28, 6)
    if rng.random() < 0.6:  # a joint assessment first (for the scorecard)
        aid = payload["assessmentId"] = s.new_id("JA")
        s.add(t, "jointAssessmentStarted", {"assessmentId": aid, "participants": [
            {"professionalId": "H1", "name": "Dr Health", "sector": "HEALTH", "role": "GP"},
            {"professionalId": "S1", "name": "Ms Social", "sector": "SOCIAL_CARE", "role": "Social worker"}]})
        if rng.random() < 0.6:
            t = s.add(s.later(t), "jointAssessmentCompleted", {"assessmentId": aid, "outcome": "PACKAGE_NEEDED"})
        t = s.later(t)
    t = s.add(t, "carePackageStarted", dict(payload, packageId=pid, integrated=rng.random() < 0.75, scheme="ITF08",
                                            pooledBudget=True))
    for _ in range(rng.choice([0, 0, 1, 2])):
        t = s.add(s.later(t), "accountableProfessionalAssigned", {
            "packageId": pid, "professionalId": s.new_id("AP"), "name": "Pat Lead", "role": "Nurse",
            "organisation": "Trust", "sector": "HEALTH", "phone": "0123"})
    if rng.random() < 0.25:
        s.add(s.later(t), "carePackageEnded", {"packageId": pid, "reason": "Needs met"})


def spell(s, rng):
    sid = s.new_id("S")
    t = s.add(s.moment(-7, 4), "hospitalAdmitted",
              {"spellId": sid, "provider": "RF4", "site": rng.choice(SITES), "method": "EMERGENCY"})
    for episode in range(rng.choice([1, 1, 2])):
        t = s.add(s.later(t), "readyForDischarge", {"spellId": sid})
        if rng.random() < 0.2:  # given again while ready
            t = s.add(s.later(t), "readyForDischarge", {"spellId": sid})
        for _ in range(rng.choice([0, 1, 1, 2])):
            t = s.add(s.later(t), "dischargeDelayRecorded", {
                "spellId": sid, "reason": rng.choice(["A", "D1", "E", "G"]),
                "agency": rng.choice(["NHS", "SOCIAL_CARE", "BOTH"])})
        if episode == 0 and rng.random() < 0.35:
            t = s.add(s.later(t), "readyForDischargeWithdrawn", {"spellId": sid, "reason": "Unwell"})
    if rng.random() < 0.4:
        s.add(s.later(t, 6), "discharged", {"spellId": sid, "destination": "USUAL_RESIDENCE"})


# --- comparison --------------------------------------------------------------------------------

def same_instant(got, want):
    try:
        return parse_time(got) == want
    except (TypeError, ValueError):
        return False


def compare_items(r, where, got, want, key, fields, order):
    g = {tuple(i.get(k) for k in key): i for i in got}
    w = {tuple(i[k] for k in key): i for i in want}
    r.check(f"{where} items", sorted(g) == sorted(w), f"got {sorted(g)}, want {sorted(w)}")
    for k in sorted(set(g) & set(w)):
        for f in fields:
            gv, wv = g[k].get(f), w[k][f]
            ok = same_instant(gv, wv) if isinstance(wv, dt.datetime) else gv == wv
            r.check(f"{where} {k} {f}", ok, f"got {gv!r}, want {wv!r}; got item {g[k]}")
    vals = [order(i) for i in got]
    r.check(f"{where} order", vals == sorted(vals), f"got {vals}")


def professional_of(item):
    p = item.get("accountableProfessional")
    return p and (p.get("packageId"), p.get("professionalId"))


def compare(r, api, token, people, now, last):
    where0 = now.isoformat()
    lib.log(f"{where0}: " + ", ".join(f"{area} {len(ow.discharge(people, area, now))} ready, "
                                      f"{len(ow.follow_ups(people, area, now))} follow-ups due, "
                                      f"{len(ow.unassigned(people, area, now))} unassigned" for area in AREAS))
    for area in AREAS:
        for site in [None] + SITES:
            q = f"/v1/worklists/discharge?area={area}&minPosition={last}" + (f"&site={site}" if site else "")
            got = api.get(q.replace(" ", "%20").replace("'", "%27"), token).json["items"]
            want = ow.discharge(people, area, now, site)
            for i in got + want:
                i["professional"] = professional_of(i)
            compare_items(r, f"{where0} discharge {area} site={site}", got, want, ("nhsNumber", "spellId"),
                          ("site", "readySince", "daysDelayed", "reason", "agency", "readyOnWeekend", "professional"),
                          lambda i: -(i.get("daysDelayed") or 0))
        got = api.get(f"/v1/worklists/follow-ups?area={area}&minPosition={last}", token).json["items"]
        compare_items(r, f"{where0} follow-ups {area}", got, ow.follow_ups(people, area, now), ("nhsNumber", "spellId"),
                      ("dischargedOn", "dueOn"), lambda i: i.get("dueOn") or "")
        got = api.get(f"/v1/worklists/unassigned-packages?area={area}&minPosition={last}", token).json["items"]
        compare_items(r, f"{where0} unassigned {area}", got, ow.unassigned(people, area, now),
                      ("nhsNumber", "packageId"), ("startedAt", "daysWithout"),
                      lambda i: parse_time(i["startedAt"]) if i.get("startedAt") else dt.datetime.min)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--people", type=int, default=40)
    ap.add_argument("--window", choices=sorted(WINDOWS) + ["all"], default="all")
    ap.add_argument("--ahead", type=int, default=0, metavar="SECONDS",
                    help="record events occurring up to SECONDS after the instant (the rules allow 300)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    r = lib.Results(args.verbose)
    r.check = quiet_check(r, args.verbose)
    t0 = time.time()
    for name in sorted(WINDOWS) if args.window == "all" else [args.window]:
        run_window(r, os.path.abspath(args.binary), args.seed, args.people, WINDOWS[name],
                   dt.timedelta(seconds=args.ahead))
    print(f"\n{r.passed} agreed, {len(r.failed)} differ in {time.time() - t0:.0f} s")
    sys.exit(1 if r.failed else 0)


def run_window(r, binary, seed, people, window, ahead):
    """One server's data: the histories of the window recorded query by query, each list compared."""
    rng, queries, nums = random.Random(seed), window.queries(), lib.NhsNumbers(seed)
    stories = [story(rng, nums.next(), window) for _ in range(people)]
    tmp = tempfile.mkdtemp(prefix="carelog-worklists-")
    tokens_file = os.path.join(tmp, "tokens.json")
    tokens = check.make_tokens(binary, tokens_file, AREAS, "E09900299")
    posted = {s.nhs: [] for s in stories}
    last = 0
    try:
        for i, at in enumerate(queries):
            env = dict(os.environ, CARELOG_NOW=at.isoformat())
            server = check.Server([binary, "serve", "--data", os.path.join(tmp, "data"), "--listen", "127.0.0.1:0",
                                   "--tokens", tokens_file], env=env)
            started = time.time()
            try:
                api = lib.Api(server.url)
                if i == 0:
                    setup(r, api, tokens, window)
                last = record(r, api, tokens, stories, queries, i, posted, last, ahead)
                now = at + dt.timedelta(seconds=time.time() - started)
                people = [ow.Person(nhs, [e for e in evs if e["t"] <= now]) for nhs, evs in posted.items() if evs]
                compare(r, api, tokens["dischargeCoordinator"], people, now, last)
                if i == len(queries) - 1:
                    scorecard.compare(r, api, tokens, AREAS, POPULATIONS, window, now, last)
            finally:
                r.eq(f"{at} SIGTERM exits 0", server.stop(), 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def setup(r, api, tokens, window):
    for area in AREAS:
        resp = api.req("PUT", f"/v1/areas/{area}", {"name": f"Worklists {area}", "population": POPULATIONS[area]},
                       token=tokens["admin"])
        r.check(f"PUT area {area}", resp.status in (200, 201), resp)
    for (area, year), plan in scorecard.plans(AREAS, window).items():
        resp = api.req("PUT", f"/v1/areas/{area}/plans/{year}", plan, token=tokens["admin"])
        r.check(f"PUT plan {area} {year}", resp.status in (200, 201), resp)


def stop(queries, e, ahead):
    """The first query instant at or after the event less `ahead` (when it is recorded unless late)."""
    return next((i for i, q in enumerate(queries) if e["t"] <= q + ahead), len(queries))


def record(r, api, tokens, stories, queries, i, posted, last, ahead):
    """Posts what has happened by query i, one request a person: a lagging person's one stop late,
    an event marked late one or two stops later than that."""
    for s in stories:
        due = sorted((e for e in s.events if stop(queries, e, ahead) + s.lag + e.get("late", 0) == i),
                     key=lambda e: e["t"])
        if not due:
            continue
        body = [{"eventId": e["eventId"], "occurredAt": lib.iso(e["t"]), e["type"]: e["payload"]} for e in due]
        resp = api.req("POST", f"/v1/people/{s.nhs}/events", {"events": body}, token=tokens["practitioner"])
        r.check(f"{queries[i]} POST {s.nhs} accepted", resp.status == 201, f"{resp}\n    events: {body}")
        if resp.status == 201:
            last = max(last, resp.json["lastPosition"])
            posted[s.nhs] += [dict(e, postedAt=i) for e in due]
    for s in stories:
        last = retract(r, api, tokens, s, queries[i], i, posted[s.nhs], last)
    return last


def retract(r, api, tokens, s, at, i, posted, last):
    """SPEC eventRetracted: "every derived view behaves as if the retracted event had never been
    recorded": the retraction is posted at `at` (occurring then, or with the event if that is
    still to occur: a retraction cannot come before what it names) and the event leaves the
    oracle's history (until the event occurs, that changes nothing)."""
    target = s.retract and next((e for e in posted if e["eventId"] == s.retract[0]["eventId"]), None)
    if not target or target["postedAt"] + s.retract[1] != i:
        return last
    body = [{"eventId": str(uuid.UUID(int=s.rng.getrandbits(128), version=4)),
             "occurredAt": lib.iso(max(at, target["t"])),
             "eventRetracted": {"eventId": target["eventId"], "reason": "Entered in error"}}]
    resp = api.req("POST", f"/v1/people/{s.nhs}/events", {"events": body}, token=tokens["practitioner"])
    r.check(f"{at} retract {s.nhs} {target['type']} accepted", resp.status == 201, resp)
    if resp.status == 201:
        posted.remove(target)
        lib.log(f"{at}: {s.nhs} {target['type']} at {target['t']} retracted")
        return max(last, resp.json["lastPosition"])
    return last


if __name__ == "__main__":
    main()
