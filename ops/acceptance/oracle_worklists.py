"""Reference computation of SPEC.md "Worklists" and the log-derived part of the "National conditions
scorecard", for worklists_differential.py. Written from SPEC.md, API.md and docs/READINGS.md only.
A history is a list of {"t" (aware UTC), "type", "payload"} in recording order (no retractions).
Standard library only."""

import datetime as dt

from oracle_history import ONE_DAY, is_weekend_day, local_date, local_midnight

REABLEMENT = ("REABLEMENT", "REHABILITATION_BED")


def midnights(since, now):
    """The London midnights after `since`, up to `now`. SPEC Worklists: days delayed "(midnights
    counted as above)", i.e. as "Delayed days", whose example ("ready on 28 April ... April gets 28,
    29, 30 ...; ready and discharged the same day: 0") READINGS (Delayed days) reads as the days
    from the readiness's London date to the day before today's: a start at 00:00 exactly is on the
    day that midnight begins. READING (Worklists): daysWithout "counts midnights since the package
    started", the same way."""
    n, m = 0, local_midnight(local_date(since) + ONE_DAY)
    while m <= now:
        n, m = n + 1, local_midnight(local_date(m) + ONE_DAY)
    return n


class Person:
    """One person's history as the worklists need it, folded in order of occurrence."""

    def __init__(self, nhs, history):
        self.nhs, self.area, self.died = nhs, None, None
        self.spells, self.packages = {}, {}
        for r in sorted(enumerate(history), key=lambda x: (x[1]["t"], x[0])):
            self._take(r[1]["t"], r[1]["type"], r[1]["payload"])

    def _take(self, t, kind, p):
        if kind in ("personRegistered", "personMoved"):
            self.area = p["areaCode"]  # READING: "the area the person lives in now"
        elif kind == "personDied":
            self.died = t
        elif kind == "hospitalAdmitted":
            self.spells[p["spellId"]] = {"site": p["site"], "ready": None, "delay": None, "discharged": None,
                                         "destination": None, "followUps": 0}
        elif kind == "readyForDischarge":
            s = self.spells[p["spellId"]]
            if s["ready"] is None:  # READING: "the first readyForDischarge after the latest withdrawal"
                s["ready"], s["delay"] = t, None
        elif kind == "readyForDischargeWithdrawn":
            s = self.spells[p["spellId"]]
            s["ready"], s["delay"] = None, None  # "a new readiness ... does not inherit the earlier reason"
        elif kind == "dischargeDelayRecorded":
            self.spells[p["spellId"]]["delay"] = (p["reason"], p["agency"])  # the latest one
        elif kind == "discharged":
            s = self.spells[p["spellId"]]
            s["discharged"], s["destination"] = t, p["destination"]
        elif kind == "followUpRecorded":
            self.spells[p["spellId"]]["followUps"] += 1
        elif kind == "carePackageStarted":
            self.packages[p["packageId"]] = {"started": t, "integrated": p["integrated"], "ended": None,
                                             "professional": None, "assessmentId": p.get("assessmentId")}
        elif kind == "accountableProfessionalAssigned":
            self.packages[p["packageId"]]["professional"] = (t, dict(p))  # "replaces any earlier one"
        elif kind == "carePackageEnded":
            self.packages[p["packageId"]]["ended"] = t

    def professional(self):
        """READING: "the most recently assigned professional of any open package of the person
        (integrated or not)"."""
        best = None
        for k in self.packages.values():
            if k["ended"] is None and k["professional"] and (best is None or k["professional"][0] > best[0]):
                best = k["professional"]
        return best and best[1]


def discharge(people, area, now, site=None):
    """SPEC: "people in a spell who are ready for discharge now, with days delayed so far (midnights
    counted as above), current reason and agency, site, the accountable professional of any open
    package, and whether the readiness began on a weekend day; longest first". READINGS: someone who
    has died leaves the list; reason/agency "UNRECORDED" without a delay record."""
    items = []
    for p in people:
        if p.area != area or p.died is not None:
            continue
        for sid, s in p.spells.items():
            if s["discharged"] is None and s["ready"] is not None and (site is None or s["site"] == site):
                reason, agency = s["delay"] or ("UNRECORDED", "UNRECORDED")
                items.append({"nhsNumber": p.nhs, "spellId": sid, "site": s["site"], "readySince": s["ready"],
                              "daysDelayed": midnights(s["ready"], now), "reason": reason, "agency": agency,
                              "readyOnWeekend": is_weekend_day(local_date(s["ready"])),
                              "accountableProfessional": p.professional()})
    return sorted(items, key=lambda i: -i["daysDelayed"])


def follow_ups(people, area, now):
    """SPEC: "discharges to reablement whose day 91 has come and that have no follow-up yet".
    READING: dueOn = the London date of the discharge + 91 days, on or before today; the dead stay."""
    today, items = local_date(now), []
    for p in people:
        if p.area != area:
            continue
        for sid, s in p.spells.items():
            if s["destination"] in REABLEMENT and not s["followUps"]:
                on = local_date(s["discharged"])
                if on + 91 * ONE_DAY <= today:
                    items.append({"nhsNumber": p.nhs, "spellId": sid, "dischargedOn": on.isoformat(),
                                  "dueOn": (on + 91 * ONE_DAY).isoformat()})
    return sorted(items, key=lambda i: i["dueOn"])


def unassigned(people, area, now):
    """SPEC: "open integrated packages with none, oldest first"; READING: never had one, daysWithout
    counts midnights since the package started; the dead leave the list."""
    items = []
    for p in people:
        if p.area != area or p.died is not None:
            continue
        for pid, k in p.packages.items():
            if k["integrated"] and k["ended"] is None and k["professional"] is None:
                items.append({"nhsNumber": p.nhs, "packageId": pid, "startedAt": k["started"],
                              "daysWithout": midnights(k["started"], now)})
    return sorted(items, key=lambda i: i["startedAt"])


# --- the national conditions scorecard: what the metrics do not already give ----------------------

def weekend_assessment_share(people, area, period):
    """SPEC scorecard: "7-day working (weekendDischargeRatio, weekend share of assessments)";
    READING: per cent of the joint assessments started in the period (the person's area then) that
    started on a weekend day. `people` are oracle_history.Person. Returns (numerator, denominator)."""
    num = den = 0
    for p in people:
        for a in p.assessments.values():
            t = a["started"]
            if p.area_at(t) == area and period.has(local_date(t)):
                den += 1
                num += is_weekend_day(local_date(t))
    return num, den


def packages_without(people, area, period, now):
    """SPEC scorecard: "open integrated packages with no accountable professional and for how many
    days". READING: at the period's end, or now if earlier; the person's area then; a package of
    someone dead by then is not open; days are the midnights from the start to that instant.
    Returns (count, total days)."""
    at = min(period.end, now)
    count = days = 0
    for p in people:
        if p.area_at(at) != area or (p.died is not None and p.died <= at):
            continue
        for k in p.packages.values():
            open_ = k["started"] <= at and (k["ended"] is None or k["ended"] > at)
            if k["integrated"] and open_ and not any(t <= at for t in k["professionals"]):
                count += 1
                days += midnights(k["started"], at)
    return count, days


def weekend_ratio_days(period, now):
    """READINGS (acceptance audit of the money figures): the weekend discharge ratio of a period in
    progress divides by the days begun so far (up to the London date of now). Returns (weekend
    days, other days)."""
    days = [d for d in period.days() if d <= local_date(now)]
    weekend = sum(1 for d in days if is_weekend_day(d))
    return weekend, len(days) - weekend
