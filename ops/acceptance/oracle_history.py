"""The calendar of SPEC.md (Europe/London dates, BST, periods, weekend days, ages) and one
person's history as the metrics need it, for the reference computation oracle.py. Standard
library only."""

import datetime as dt

UTC = dt.timezone.utc
ONE_DAY = dt.timedelta(days=1)

# SPEC "Weekend days ... the bank holidays of England and Wales" (gov.uk/bank-holidays, 2013-2017).
BANK_HOLIDAYS = {dt.date.fromisoformat(d) for d in (
    "2013-01-01 2013-03-29 2013-04-01 2013-05-06 2013-05-27 2013-08-26 2013-12-25 2013-12-26 "
    "2014-01-01 2014-04-18 2014-04-21 2014-05-05 2014-05-26 2014-08-25 2014-12-25 2014-12-26 "
    "2015-01-01 2015-04-03 2015-04-06 2015-05-04 2015-05-25 2015-08-31 2015-12-25 2015-12-28 "
    "2016-01-01 2016-03-25 2016-03-28 2016-05-02 2016-05-30 2016-08-29 2016-12-26 2016-12-27 "
    "2017-01-02 2017-04-14 2017-04-17 2017-05-01 2017-05-29 2017-08-28 2017-12-25 2017-12-26").split()}


# --- calendar -----------------------------------------------------------------------------------

def last_sunday(year, month):
    d = dt.date(year, month + 1, 1) - ONE_DAY
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def is_bst(t):
    """SPEC Calendar: "BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
    Sunday of October"."""
    start = dt.datetime.combine(last_sunday(t.year, 3), dt.time(1), UTC)
    end = dt.datetime.combine(last_sunday(t.year, 10), dt.time(1), UTC)
    return start <= t < end


def local_date(t):
    """SPEC Calendar: "Dates that metrics use are local dates in Europe/London"."""
    return (t + dt.timedelta(hours=1 if is_bst(t) else 0)).date()


def local_midnight(d):
    """The instant local date d begins (never ambiguous: the changes are at 01:00 UTC)."""
    cand = dt.datetime.combine(d, dt.time(0), UTC) - dt.timedelta(hours=1)
    return cand if is_bst(cand) else cand + dt.timedelta(hours=1)


def is_weekend_day(d):
    """SPEC Calendar: "Weekend days ... are Saturdays, Sundays and the bank holidays of England
    and Wales"."""
    return d.weekday() >= 5 or d in BANK_HOLIDAYS


def age_on(birth, d):
    """SPEC Calendar: "Age is completed years on the local date of the event" (a 29 February
    birthday is completed on 1 March in other years)."""
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


class Period:
    """SPEC Calendar: financial year `2014-15` = 2014-04-01 to 2015-03-31; quarter `2014-15-Q1`
    (Apr-Jun) ... `2014-15-Q4` (Jan-Mar); month `2014-04`."""

    def __init__(self, text):
        self.text = text
        parts = text.split("-")
        if len(parts) == 2 and int(parts[1]) != (int(parts[0]) + 1) % 100:
            y, m = int(parts[0]), int(parts[1])
            self.first, self.months = dt.date(y, m, 1), 1
            self.fy_start = y if m >= 4 else y - 1
        else:
            self.fy_start = int(parts[0])
            if len(parts) == 3:
                q = int(parts[2][1])
                m0 = 4 + 3 * (q - 1)
                self.first = dt.date(self.fy_start + (m0 - 1) // 12, (m0 - 1) % 12 + 1, 1)
                self.months = 3
            else:
                self.first, self.months = dt.date(self.fy_start, 4, 1), 12
        m = self.first.month - 1 + self.months
        self.after = dt.date(self.first.year + m // 12, m % 12 + 1, 1)  # first day after
        self.last = self.after - ONE_DAY
        self.end = local_midnight(self.after)  # "the period's end": the midnight ending its last day

    def has(self, d):
        return self.first <= d <= self.last

    def days(self):
        d = self.first
        while d <= self.last:
            yield d
            d += ONE_DAY

    def population_year(self):
        """SPEC: "a period uses the mid-year estimate of the calendar year in which its financial
        year starts"."""
        return self.fy_start


# --- the history of one person ------------------------------------------------------------------

def visible(records, as_of=None):
    """SPEC "As reported on a date": "computed from the events recorded up to that instant only
    (retractions recorded later not yet applied)"; eventRetracted: "every derived view behaves as
    if the retracted event had never been recorded"."""
    seen = [r for r in records if as_of is None or r["recordedAt"] <= as_of]
    gone = {r["payload"]["eventId"] for r in seen if r["type"] == "eventRetracted"}
    return [r for r in seen if r["eventId"] not in gone and r["type"] != "eventRetracted"]


class Person:
    """What the metrics need of one person's (visible) history, in order of occurrence."""

    def __init__(self, nhs, records):
        self.nhs = nhs
        self.events = sorted(records, key=lambda r: (r["occurredAt"], r["version"]))
        self.residence, self.verified, self.died = [], [], None
        self.spells, self.placements, self.packages, self.assessments, self.referrals = {}, {}, {}, {}, {}
        self.ae, self.surveys, self.birth = [], [], None
        for r in self.events:
            self._take(r, r["type"], r["payload"], r["occurredAt"])

    def _take(self, r, kind, p, t):
        if kind == "personRegistered":
            self.birth = dt.date.fromisoformat(p["birthDate"])
            self.residence.append((t, p["areaCode"]))
            if p["nhsNumberStatus"] == "VERIFIED":  # the number's status, whenever registered
                self.verified.append(dt.datetime.min.replace(tzinfo=UTC))
        elif kind == "personMoved":
            self.residence.append((t, p["areaCode"]))
        elif kind == "nhsNumberVerified":
            self.verified.append(t)
        elif kind == "personDied":
            self.died = t
        elif kind == "hospitalAdmitted":
            self.spells[p["spellId"]] = {"admitted": t, "method": p["method"], "discharged": None,
                                         "destination": None, "clock": [], "followUps": []}
        elif kind in ("readyForDischarge", "readyForDischargeWithdrawn", "dischargeDelayRecorded"):
            self.spells[p["spellId"]]["clock"].append((t, kind, p))
        elif kind == "discharged":
            s = self.spells[p["spellId"]]
            s["discharged"], s["destination"] = t, p["destination"]
        elif kind == "followUpRecorded":
            self.spells[p["spellId"]]["followUps"].append((t, r["version"], p["status"]))
        elif kind == "careHomeAdmitted":
            self.placements[p["placementId"]] = dict(p, admitted=t, left=None)
        elif kind == "careHomeLeft":
            self.placements[p["placementId"]]["left"] = t
        elif kind == "carePackageStarted":
            self.packages[p["packageId"]] = dict(p, started=t, ended=None, professionals=[])
        elif kind == "accountableProfessionalAssigned":
            self.packages[p["packageId"]]["professionals"].append(t)
        elif kind == "carePackageEnded":
            self.packages[p["packageId"]]["ended"] = t
        elif kind == "jointAssessmentStarted":
            self.assessments[p["assessmentId"]] = {"started": t, "completed": None}
        elif kind == "jointAssessmentCompleted":
            self.assessments[p["assessmentId"]]["completed"] = t
        elif kind == "referralReceived":
            self.referrals[p["referralId"]] = {"received": t, "urgency": p["urgency"], "answered": None}
        elif kind in ("referralAccepted", "referralDeclined"):
            self.referrals[p["referralId"]]["answered"] = t
        elif kind == "aeAttended":
            self.ae.append(t)
        elif kind == "experienceSurveyCompleted":
            self.surveys.append((t, p["positive"]))

    def area_at(self, t):
        """SPEC: "the area of their latest personRegistered/personMoved at or before that instant".
        READING (docs/READINGS.md): an event before the registration counts for its area."""
        area = self.residence[0][1] if self.residence else None
        for at, code in self.residence:
            if at <= t:
                area = code
        return area

    def age_at(self, t):
        return age_on(self.birth, local_date(t))

    def verified_at(self, t):
        """READING (docs/READINGS.md): registered VERIFIED, or an nhsNumberVerified at or before
        t (the state at an instant includes the events at that instant, as SPEC's "at or before"
        for areas and delay reasons). An event recorded before the registration happened is of a
        person whose registration says the number is verified."""
        return any(v <= t for v in self.verified)
