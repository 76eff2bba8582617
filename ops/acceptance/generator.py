"""Random but valid person histories for the differential test (differential.py), with times at
the edges of SPEC.md's calendar: local midnights in Europe/London, the BST changes, month,
quarter and financial-year boundaries, 1 Oct - 31 Dec, weekends and bank holidays, birthdays (18,
65) on the event date. Each event is recorded in phase 1, or late in phase 2 or 3 together with
what it depends on; retractions come in a later phase than the event they name. Deterministic
from the seed. Standard library only."""

import datetime as dt
import random
import uuid

import lib
import oracle

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
SEC = dt.timedelta(seconds=1)
FIRST, LAST = dt.date(2014, 3, 1), dt.date(2016, 6, 30)
DESTINATIONS = ["USUAL_RESIDENCE", "REABLEMENT", "REHABILITATION_BED", "RESIDENTIAL_CARE", "NURSING_CARE",
                "OTHER_HOSPITAL", "DIED", "OTHER"]
REASONS = ["A", "B", "C", "D1", "D2", "E", "F", "G", "H", "I"]
OFFSETS = [dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=5, minutes=30))]


def edge_moments():
    """Instants at the calendar's edges, sorted."""
    dates, d = set(oracle.BANK_HOLIDAYS), FIRST
    while d <= LAST:
        if d.day == 1:
            dates |= {d, d - DAY}
        if d.month in (3, 10) and d == oracle.last_sunday(d.year, d.month):
            dates.add(d)
        d += DAY
    out = set()
    for d in dates:
        if FIRST <= d <= LAST:
            m0, m1 = oracle.local_midnight(d), oracle.local_midnight(d + DAY)
            out |= {m0, m0 + SEC, m1 - SEC, m0 + dt.timedelta(hours=12)}
            if d.month in (3, 10) and d.weekday() == 6 and d.day > 24:
                one = dt.datetime.combine(d, dt.time(1), UTC)
                out |= {one - SEC, one, one + SEC}
    return sorted(out)


class Story:
    """One person's history: events with their dependencies and recording phase."""

    def __init__(self, rng, nhs, edges):
        self.rng, self.nhs, self.edges, self.events = rng, nhs, edges, []
        self.ids = 0

    def add(self, t, kind, payload, deps=()):
        self.events.append({"t": t, "type": kind, "payload": payload, "deps": [d for d in deps if d is not None],
                            "phase": 1, "eventId": str(uuid.UUID(int=self.rng.getrandbits(128), version=4))})
        return len(self.events) - 1

    def new_id(self, prefix):
        self.ids += 1
        return f"{prefix}{self.ids}"

    def after(self, t):
        """A later instant: often the next few edges, else a gap from a minute to a month."""
        rng = self.rng
        if rng.random() < 0.45:
            lo = next((i for i, e in enumerate(self.edges) if e > t), None)
            if lo is not None and self.edges[lo] - t < dt.timedelta(days=60):
                return self.edges[min(lo + rng.randrange(3), len(self.edges) - 1)]
        gap = rng.choice([60, 3 * 3600, 86400, 3 * 86400, 10 * 86400, 30 * 86400])
        return t + dt.timedelta(seconds=int(gap * rng.uniform(0.2, 1.5)) + 1)


class Generator:
    def __init__(self, seed, people, areas):
        self.rng = random.Random(seed)
        self.areas = areas
        self.edges = edge_moments()
        nums = lib.NhsNumbers(seed)
        self.stories = [self.story(nums.next()) for _ in range(people)]
        for s in self.stories:
            self.phases(s)

    # --- one history -----------------------------------------------------------------------------

    def story(self, nhs):
        rng = self.rng
        s = Story(rng, nhs, self.edges)
        start = self.edges[rng.randrange(len(self.edges) - 200)] if rng.random() < 0.5 else \
            dt.datetime(2014, 3, 20, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(680 * 86400))
        area = rng.choice(self.areas)
        verified = rng.random() < 0.5
        s.add(start, "personRegistered", {"birthDate": None, "areaCode": area, "gpPractice": "F82001",
                                          "nhsNumberStatus": "VERIFIED" if verified else "UNVERIFIED"})
        ctx = {"t": start, "area": area, "verified": verified, "discharge": None, "open": False, "dead": False}
        steps = rng.randint(2, 9)
        for i in range(steps):
            kind = rng.choices(["move", "verify", "ae", "survey", "referral", "package", "spell", "carehome"],
                               [12, 5, 10, 10, 12, 15, 28, 12])[0]
            getattr(self, f"_{kind}")(s, ctx, last=i == steps - 1)
            if ctx["dead"]:
                break
        if not ctx["open"] and not ctx["dead"] and rng.random() < 0.12:
            s.add(s.after(ctx["t"]), "personDied", {}, [ctx["discharge"]])
        if rng.random() < 0.1:  # happened before the registration, recorded late
            early = start - dt.timedelta(seconds=rng.randrange(60, 40 * 86400))
            i = s.add(early, "aeAttended", {"attendanceId": s.new_id("AE"), "site": "Queen's"})
            s.events[i]["phase"] = 2
        self.birth(s, start)
        return s

    def _move(self, s, ctx, last):
        ctx["t"] = s.after(ctx["t"])
        ctx["area"] = next(a for a in self.areas if a != ctx["area"])
        s.add(ctx["t"], "personMoved", {"areaCode": ctx["area"]})

    def _verify(self, s, ctx, last):
        if not ctx["verified"]:
            ctx["t"], ctx["verified"] = s.after(ctx["t"]), True
            s.add(ctx["t"], "nhsNumberVerified", {})

    def _ae(self, s, ctx, last):
        ctx["t"] = s.after(ctx["t"])
        s.add(ctx["t"], "aeAttended", {"attendanceId": s.new_id("AE"), "site": "Queen's"})

    def _survey(self, s, ctx, last):
        ctx["t"] = s.after(ctx["t"])
        s.add(ctx["t"], "experienceSurveyCompleted", {"surveyId": s.new_id("SV"), "positive": self.rng.random() < 0.6,
                                                      "question": "Q1"})

    def _referral(self, s, ctx, last):
        rng = self.rng
        ctx["t"] = s.after(ctx["t"])
        rid = s.new_id("R")
        ref = s.add(ctx["t"], "referralReceived", {
            "referralId": rid, "fromSector": rng.choice(["HEALTH", "SOCIAL_CARE", "VOLUNTARY", "HOUSING", "SELF"]),
            "fromOrganisation": "ORG", "toService": "Rapid response", "reason": "Falls",
            "urgency": rng.choice(["ROUTINE", "URGENT", "URGENT", "CRISIS"])})
        wait = rng.choice([None, 3600, 86399, 86400, 86401, 30 * 3600, 3 * 86400])
        if wait is not None:
            ctx["t"] += dt.timedelta(seconds=wait)
            if rng.random() < 0.7:
                s.add(ctx["t"], "referralAccepted", {"referralId": rid}, [ref])
            else:
                s.add(ctx["t"], "referralDeclined", {"referralId": rid, "reason": "Not eligible"}, [ref])

    def _package(self, s, ctx, last):
        rng = self.rng
        aid = started = None
        if rng.random() < 0.7:
            ctx["t"] = s.after(ctx["t"])
            aid = s.new_id("JA")
            started = s.add(ctx["t"], "jointAssessmentStarted", {"assessmentId": aid, "participants": [
                {"professionalId": "H1", "name": "Dr Health", "sector": "HEALTH", "role": "GP"},
                {"professionalId": "S1", "name": "Ms Social", "sector": "SOCIAL_CARE", "role": "Social worker"}]})
        complete_first = rng.random() < 0.5
        if started is not None and complete_first and rng.random() < 0.8:
            ctx["t"] = s.after(ctx["t"])
            s.add(ctx["t"], "jointAssessmentCompleted", {"assessmentId": aid, "outcome": "PACKAGE_NEEDED"}, [started])
        ctx["t"] = s.after(ctx["t"])
        pid = s.new_id("PK")
        payload = {"packageId": pid, "integrated": rng.random() < 0.75, "scheme": "ITF08", "pooledBudget": True}
        named = aid is not None and rng.random() < 0.85
        if named:
            payload["assessmentId"] = aid
        pk = s.add(ctx["t"], "carePackageStarted", payload, [started] if named else [])
        if started is not None and not complete_first and rng.random() < 0.5:
            ctx["t"] = s.after(ctx["t"])
            s.add(ctx["t"], "jointAssessmentCompleted", {"assessmentId": aid, "outcome": "PACKAGE_NEEDED"}, [started])
        for _ in range(rng.choice([0, 1, 1, 2])):
            ctx["t"] = s.after(ctx["t"])
            s.add(ctx["t"], "accountableProfessionalAssigned", {
                "packageId": pid, "professionalId": s.new_id("AP"), "name": "Pat Lead", "role": "Nurse",
                "organisation": "Trust", "sector": rng.choice(["HEALTH", "SOCIAL_CARE"]), "phone": "0123"}, [pk])
        if rng.random() < 0.4:
            ctx["t"] = s.after(ctx["t"])
            s.add(ctx["t"], "carePackageEnded", {"packageId": pid, "reason": "Needs met"}, [pk])

    def _carehome(self, s, ctx, last):
        rng = self.rng
        open_ = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            ctx["t"] = s.after(ctx["t"])
            pid = s.new_id("CH")
            open_.append((pid, s.add(ctx["t"], "careHomeAdmitted", {
                "placementId": pid, "type": rng.choice(["RESIDENTIAL", "NURSING"]),
                "permanent": rng.random() < 0.75, "councilSupported": rng.random() < 0.75})))
        for pid, i in open_:
            if rng.random() < 0.5:
                ctx["t"] = s.after(ctx["t"])
                s.add(ctx["t"], "careHomeLeft", {"placementId": pid}, [i])

    def _spell(self, s, ctx, last):
        rng = self.rng
        sid = s.new_id("S")
        ctx["t"] = s.after(ctx["t"])
        adm = s.add(ctx["t"], "hospitalAdmitted", {
            "spellId": sid, "provider": "RF4", "site": rng.choice(["Queen's", "King George"]),
            "method": rng.choices(["EMERGENCY", "TRANSFER", "ELECTIVE", "MATERNITY"], [50, 15, 25, 10])[0]},
            [ctx["discharge"]])
        same_day = False
        if rng.random() < 0.75:
            dep = adm
            for episode in range(1 if rng.random() < 0.75 else 2):
                ctx["t"] = s.after(ctx["t"])
                ready = s.add(ctx["t"], "readyForDischarge", {"spellId": sid}, [dep])
                if rng.random() < 0.15:  # given again while ready
                    ctx["t"] = s.after(ctx["t"])
                    ready = s.add(ctx["t"], "readyForDischarge", {"spellId": sid}, [ready])
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    ctx["t"] = s.after(ctx["t"])
                    s.add(ctx["t"], "dischargeDelayRecorded", {
                        "spellId": sid, "reason": rng.choice(REASONS),
                        "agency": rng.choice(["NHS", "SOCIAL_CARE", "BOTH"])}, [ready])
                if episode == 0 and rng.random() < 0.3:
                    ctx["t"] = s.after(ctx["t"])
                    dep = s.add(ctx["t"], "readyForDischargeWithdrawn", {"spellId": sid, "reason": "Unwell"}, [ready])
                else:
                    break
            same_day = rng.random() < 0.2
        if last and rng.random() < 0.3:
            ctx["open"] = True
            if rng.random() < 0.4:  # dies in hospital, never discharged
                s.add(s.after(ctx["t"]), "personDied", {})
                ctx["dead"] = True
            return
        end_of_day = oracle.local_midnight(oracle.local_date(ctx["t"]) + DAY) - SEC
        if same_day and end_of_day > ctx["t"]:
            ctx["t"] = min(end_of_day, ctx["t"] + dt.timedelta(seconds=rng.randrange(1, 6 * 3600)))
        else:
            ctx["t"] = s.after(ctx["t"])
        dest = rng.choices(DESTINATIONS, [25, 25, 12, 6, 6, 6, 6, 6])[0]
        dis = s.add(ctx["t"], "discharged", {"spellId": sid, "destination": dest}, [adm])
        ctx["discharge"] = dis
        if dest in ("REABLEMENT", "REHABILITATION_BED") and rng.random() < 0.8:
            day91 = oracle.local_midnight(oracle.local_date(ctx["t"]) + 91 * DAY)
            for k in range(rng.choice([1, 1, 2])):
                s.add(day91 + dt.timedelta(hours=9 + 2 * k), "followUpRecorded", {
                    "spellId": sid, "status": rng.choice(["AT_HOME", "AT_HOME", "IN_HOSPITAL", "IN_CARE_HOME",
                                                          "DIED", "NOT_CONTACTED"])}, [dis])
        if dest == "DIED" and rng.random() < 0.7:
            s.add(ctx["t"] + 60 * SEC, "personDied", {}, [dis])
            ctx["dead"] = True

    def birth(self, s, start):
        """A birth date putting the 65th or 18th birthday on (or a day off) an event's date."""
        rng = self.rng
        anchors = [e["t"] for e in s.events if e["type"] in (
            "hospitalAdmitted", "readyForDischarge", "discharged", "careHomeAdmitted", "dischargeDelayRecorded")]
        mode = rng.choices(["65", "18", "any"], [35, 15, 50])[0] if anchors else "any"
        if mode == "any":
            d = oracle.local_date(start) - dt.timedelta(days=rng.randrange(16 * 365, 95 * 365))
        else:
            a = oracle.local_date(rng.choice(anchors)) + rng.choice([-1, 0, 0, 1]) * DAY
            try:
                d = a.replace(year=a.year - int(mode))
            except ValueError:
                d = dt.date(a.year - int(mode), 3, 1)
        s.events[0]["payload"]["birthDate"] = d.isoformat()

    # --- recording phases ----------------------------------------------------------------------

    def phases(self, s):
        """Some events late (phase 2 or 3) with what depends on them; retractions of events that
        nothing depends on, in a later phase."""
        rng = self.rng
        for e in s.events[1:]:
            if rng.random() < 0.12:
                e["phase"] = max(e["phase"], rng.choice([2, 3]))
        for e in s.events:
            e["phase"] = max([e["phase"]] + [s.events[d]["phase"] for d in e["deps"]])
        needed = {d for e in s.events for d in e["deps"]}
        s.retractions = []
        for i, e in enumerate(s.events[1:], 1):
            if i not in needed and e["phase"] < 3 and rng.random() < 0.07:
                s.retractions.append({"phase": rng.randint(e["phase"] + 1, 3), "target": e["eventId"],
                                      "eventId": str(uuid.UUID(int=rng.getrandbits(128), version=4))})

    def fmt(self, t):
        style = self.rng.choice(["Z", "local", "local", "other"])
        if style == "Z":
            return lib.iso(t)
        if style == "local":
            off = dt.timedelta(hours=1 if oracle.is_bst(t) else 0)
            return t.astimezone(dt.timezone(off)).isoformat(timespec="seconds")
        return t.astimezone(self.rng.choice(OFFSETS)).isoformat(timespec="seconds")

    def requests(self, phase, now):
        """(nhsNumber, events) of one phase, each person's in order of occurrence."""
        out = []
        for s in self.stories:
            evs = sorted((e for e in s.events if e["phase"] == phase), key=lambda e: e["t"])
            body = [{"eventId": e["eventId"], "occurredAt": self.fmt(e["t"]), e["type"]: e["payload"]} for e in evs]
            body += [{"eventId": r["eventId"], "occurredAt": lib.iso(now.replace(microsecond=0) - SEC),
                      "eventRetracted": {"eventId": r["target"], "reason": "Entered in error"}}
                     for r in s.retractions if r["phase"] == phase]
            if body:
                out.append((s.nhs, body))
        return out

    def virtual_records(self):
        """The records as the server will hold them, recordedAt being the phase (for the plans)."""
        out = {}
        for s in self.stories:
            recs = []
            for phase in (1, 2, 3):
                for e in sorted((e for e in s.events if e["phase"] == phase), key=lambda e: e["t"]):
                    recs.append({"version": len(recs) + 1, "eventId": e["eventId"], "occurredAt": e["t"],
                                 "recordedAt": phase, "type": e["type"], "payload": e["payload"]})
                for r in s.retractions:
                    if r["phase"] == phase:
                        recs.append({"version": len(recs) + 1, "eventId": r["eventId"], "recordedAt": phase,
                                     "occurredAt": dt.datetime(2026, 1, 1, tzinfo=UTC), "type": "eventRetracted",
                                     "payload": {"eventId": r["target"]}})
            out[s.nhs] = recs
        return out
