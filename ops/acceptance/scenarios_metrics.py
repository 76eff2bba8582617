"""Acceptance scenarios of the outcome metrics (SPEC.md worked examples, by hand), disclosure
control, as-of views, series and CSV, minPosition and the payment example of SPEC.md.

Each metric scenario repeats its story for 10 people in an area of its own, so that the counts
are multiples of 10: disclosure control (round to the nearest 5) leaves them exact."""

import time

import lib
from lib import ev, reg, spell
from scenarios_api import problem_ok

METRIC_IDS = ["nonElectiveAdmissions", "permanentAdmissions65", "permanentAdmissions18to64", "reablement91",
              "delayedDays", "aeAttendances", "patientExperience", "nhsNumberVerified",
              "accountableProfessionalCoverage", "jointAssessmentCoverage", "weekendDischargeRatio",
              "urgentResponse24h"]
HIGHER = {"reablement91", "patientExperience", "nhsNumberVerified", "accountableProfessionalCoverage",
          "jointAssessmentCoverage", "weekendDischargeRatio", "urgentResponse24h"}
ENTRY = {"metric", "value", "numerator", "denominator", "suppressed", "direction", "baseline", "target", "breakdown"}
POP = [{"year": y, "age0to17": 20000, "age18to64": 80000, "age65plus": 20000} for y in (2014, 2015, 2016)]
PEOPLE = 10


def metrics(c, area, period, as_of=None, token=None):
    q = f"/v1/areas/{area}/metrics?period={period}"
    if as_of:
        q += f"&asOf={as_of.replace('+', '%2B')}"
    r = c.read(q, token or c.t["commissioner"])
    if r.status != 200:
        raise RuntimeError(f"GET {q}: {r}")
    return {m["metric"]: m for m in r.json["metrics"]}, r


def many(c, area, story):
    """Records story(i) -> events after a registration, for PEOPLE people of the area."""
    for i in range(PEOPLE):
        born, events = story(i)
        c.must_post(c.nhs.next(), [reg("2015-04-01T00:30:00+01:00", born, area)] + events)


def expect(c, area, period, metric, numerator=None, value=None, denominator=None, tol=1e-3):
    m, _ = metrics(c, area, period)
    e = m.get(metric, {})
    name = f"{metric} {period}"
    if numerator is not None:
        c.r.eq(f"{name} numerator", e.get("numerator"), numerator)
    if denominator is not None:
        c.r.eq(f"{name} denominator", e.get("denominator"), denominator)
    if value == "null":
        c.r.check(f"{name} value null", "value" in e and e["value"] is None, e)
    elif value is not None:
        c.r.close(f"{name} value", e.get("value"), value, tol)
    return e


def shape(c):
    area = c.area(POP)
    c.must_post(c.nhs.next(), [reg("2015-05-01T10:00:00+01:00", "1950-01-01", area)])
    m, r = metrics(c, area, "2015-16")
    body = r.json
    c.r.check("area, period and asOf echoed",
              body.get("area") == area and body.get("period") == "2015-16" and "asOf" in body and body["asOf"] is None,
              {k: body.get(k) for k in ("area", "period", "asOf")})
    c.r.eq("one entry per metric id of SPEC.md", sorted(m), sorted(METRIC_IDS))
    c.r.check("every entry has every field", all(ENTRY <= set(e) for e in m.values()),
              [sorted(ENTRY - set(e)) for e in m.values()])
    c.r.check("directions", all(m[k]["direction"] == ("HIGHER" if k in HIGHER else "LOWER") for k in m),
              {k: m[k]["direction"] for k in m})
    bd = m["delayedDays"]["breakdown"]
    c.r.check("delayedDays breakdown byAgency keys",
              set(bd.get("byAgency", {})) == {"NHS", "SOCIAL_CARE", "BOTH", "UNRECORDED"}, bd)
    c.r.check("delayedDays breakdown byReason keys",
              set(bd.get("byReason", {})) == {"A", "B", "C", "D1", "D2", "E", "F", "G", "H", "I", "UNRECORDED"}, bd)
    future = metrics(c, area, "2030-31")[0]
    c.r.check("a period without data: every value null", all(e["value"] is None for e in future.values()), future)
    tok = c.t["commissioner"]
    own = c.api.get("/v1/areas", c.t["commissionerOther"])
    c.r.check("a commissioner lists only their areas", own.status == 200 and area not in own.text, own)
    problem_ok(c, "no plan for the year", c.api.get(f"/v1/areas/{area}/plans/2015-16", c.t["admin"]), 404)
    for q in ("period=2015", "period=2015-16-Q5", "period=2015-13", ""):
        problem_ok(c, f"metrics ?{q}", c.api.get(f"/v1/areas/{area}/metrics?{q}", tok), 400)
    problem_ok(c, "metrics asOf malformed", c.api.get(f"/v1/areas/{area}/metrics?period=2015-16&asOf=yesterday", tok),
               400)
    problem_ok(c, "metrics of an undefined area", c.api.get("/v1/areas/E09999997/metrics?period=2015-16",
                                                            c.t["admin"]), 404)
    c.r.eq("conditions scorecard 200", c.api.get(f"/v1/areas/{area}/conditions?period=2015-16", tok).status, 200)
    q3 = metrics(c, area, "2015-16-Q1")[1]
    c.r.check("quarter and month periods accepted",
              q3.status == 200 and metrics(c, area, "2015-04")[1].status == 200, q3)


def delayed_days(c):
    area = c.area(POP)  # 18+ = 100,000

    def story(i):
        evs = (spell("S1", "2015-04-20T09:00:00+01:00", "2015-05-03T12:00:00+01:00", ready="2015-04-28T10:00:00+01:00")
               + [ev("2015-04-29T12:00:00+01:00", "dischargeDelayRecorded", spellId="S1", reason="D1",
                     agency="SOCIAL_CARE")]
               + spell("S2", "2015-06-10T08:00:00+01:00", "2015-06-10T18:00:00+01:00", ready="2015-06-10T09:00:00+01:00")
               + spell("S3", "2015-07-01T20:00:00+01:00", "2015-07-02T00:30:00+01:00", ready="2015-07-01T23:30:00+01:00")
               + august()
               + spell("S5", "2015-10-24T10:00:00+01:00", "2015-10-26T09:00:00+00:00", ready="2015-10-24T12:00:00+01:00")
               + spell("S6", "2016-03-26T10:00:00+00:00", "2016-03-28T09:00:00+01:00", ready="2016-03-26T12:00:00+00:00"))
        return "1945-03-03", evs

    def august():
        return spell("S4", "2015-08-12T10:00:00+01:00", "2015-08-17T12:00:00+01:00", ready="2015-08-13T12:00:00+01:00")
    many(c, area, lambda i: ("1997-08-15", august()))
    many(c, area, story)
    # Per person: April 28-30 (3), May 1-2 (2), June 0 (same day), July 1 (the London midnight at
    # 23:00 UTC), August 4 for an adult / 2 for one turning 18 on the 15th, October 24 and 25
    # (2, the clocks go back on the 25th), March 26 and 27 2016 (2, clocks go forward on the 27th).
    e = expect(c, area, "2015-04", "delayedDays", 30, 30.0, 100000)
    bd = e.get("breakdown") or {}
    c.r.eq("2015-04 by agency", bd.get("byAgency"), {"NHS": 0, "SOCIAL_CARE": 20, "BOTH": 0, "UNRECORDED": 10})
    c.r.check("2015-04 by reason D1 20, UNRECORDED 10",
              (bd.get("byReason") or {}).get("D1") == 20 and bd["byReason"].get("UNRECORDED") == 10, bd)
    expect(c, area, "2015-05", "delayedDays", 20, 20.0)
    expect(c, area, "2015-06", "delayedDays", 0, 0.0)
    expect(c, area, "2015-07", "delayedDays", 10, 10.0)
    expect(c, area, "2015-08", "delayedDays", 60, 60.0)
    expect(c, area, "2015-10", "delayedDays", 20, 20.0)
    expect(c, area, "2016-03", "delayedDays", 20, 20.0)
    expect(c, area, "2015-16-Q1", "delayedDays", 50, 50 / 3)
    expect(c, area, "2015-16", "delayedDays", 160, 160 / 12)
    c.delayed_area = area


def permanent_admissions(c):
    area = c.area(POP)  # 65+ 20,000; 18-64 80,000
    home = lambda t, pid, permanent=True: ev(t, "careHomeAdmitted", placementId=pid, type="RESIDENTIAL",  # noqa
                                             permanent=permanent, councilSupported=True)
    many(c, area, lambda i: ("1950-06-15", [home("2015-06-15T10:00:00+01:00", "H1"),
                                             ev("2015-08-01T10:00:00+01:00", "careHomeLeft", placementId="H1"),
                                             home("2015-08-01T12:00:00+01:00", "H2"),
                                             home("2015-11-01T12:00:00+00:00", "H3")]))
    many(c, area, lambda i: ("1950-06-16", [home("2015-06-15T10:00:00+01:00", "H1")]))
    many(c, area, lambda i: ("1940-01-01", [home("2015-06-15T10:00:00+01:00", "H1", permanent=False)]))
    expect(c, area, "2015-06", "permanentAdmissions65", 10, 10 / 20000 * 1e5, 20000)
    expect(c, area, "2015-06", "permanentAdmissions18to64", 10, 10 / 80000 * 1e5, 80000)
    expect(c, area, "2015-08", "permanentAdmissions65", 0, 0.0)
    expect(c, area, "2015-11", "permanentAdmissions65", 0, 0.0)
    expect(c, area, "2015-16", "permanentAdmissions65", 10, 50.0)


def reablement(c):
    area = c.area(POP)
    fu = lambda t, sid, status: ev(t, "followUpRecorded", spellId=sid, status=status)  # noqa: E731
    many(c, area, lambda i: ("1940-01-01",
                             spell("A", "2015-09-20T10:00:00+01:00", "2015-09-30T12:00:00+01:00", destination="REABLEMENT")
                             + spell("B", "2015-09-30T18:00:00+01:00", "2015-10-01T10:00:00+01:00",
                                     destination="REABLEMENT")
                             + spell("C", "2015-12-20T10:00:00Z", "2015-12-31T15:00:00Z", destination="REABLEMENT")
                             + spell("D", "2015-12-31T20:00:00Z", "2016-01-01T10:00:00Z",
                                     destination="REHABILITATION_BED")
                             + [fu("2015-12-30T10:00:00Z", "A", "AT_HOME"), fu("2015-12-31T10:00:00Z", "B", "IN_HOSPITAL"),
                                fu("2016-01-05T10:00:00Z", "B", "AT_HOME"), fu("2016-03-31T10:00:00+01:00", "C", "AT_HOME"),
                                fu("2016-04-02T10:00:00+01:00", "C", "NOT_CONTACTED"),
                                fu("2016-04-01T10:00:00+01:00", "D", "AT_HOME")]))
    many(c, area, lambda i: ("1951-01-01", spell("Y", "2015-10-20T10:00:00+01:00", "2015-11-01T10:00:00Z",
                                                 destination="REABLEMENT")
                             + [fu("2016-01-31T10:00:00Z", "Y", "AT_HOME")]))
    expect(c, area, "2015-16", "reablement91", 10, 50.0, 20)
    expect(c, area, "2015-16-Q3", "reablement91", 10, 50.0, 20)
    expect(c, area, "2015-10", "reablement91", 10, 100.0, 10)
    expect(c, area, "2015-16-Q2", "reablement91", value="null")
    expect(c, area, "2015-16-Q4", "reablement91", value="null")


def moving(c):
    a, b = c.area(POP), c.area(POP)
    many(c, a, lambda i: ("1950-01-01", spell("S1", "2015-05-10T10:00:00+01:00", "2015-05-12T10:00:00+01:00")
                          + [ev("2015-06-01T10:00:00+01:00", "personMoved", areaCode=b)]
                          + spell("S2", "2015-07-10T10:00:00+01:00", "2015-07-12T10:00:00+01:00", method="TRANSFER")
                          + spell("S3", "2015-07-20T10:00:00+01:00", "2015-07-22T10:00:00+01:00", method="ELECTIVE")))
    expect(c, a, "2015-05", "nonElectiveAdmissions", 10, 10)
    e = expect(c, a, "2015-07", "nonElectiveAdmissions")
    c.r.check("old area has none in July", e.get("value") in (None, 0) and e.get("numerator") == 0, e)
    expect(c, b, "2015-07", "nonElectiveAdmissions", 10, 10)
    e = expect(c, b, "2015-05", "nonElectiveAdmissions")
    c.r.check("new area has none in May", e.get("value") in (None, 0) and e.get("numerator") == 0, e)
    expect(c, a, "2015-16", "nonElectiveAdmissions", 10, 10)
    expect(c, b, "2015-16", "nonElectiveAdmissions", 10, 10)


def weekend(c):
    area = c.area(POP)
    # May 2015: 10 Saturdays and Sundays and 2 bank holidays (4th, 25th) = 12 weekend days, 19 others.
    many(c, area, lambda i: ("1950-01-01", spell("S1", "2015-05-01T10:00:00+01:00", "2015-05-04T12:00:00+01:00")
                             + spell("S2", "2015-05-05T08:00:00+01:00", "2015-05-05T12:00:00+01:00")
                             + spell("S3", "2015-05-29T10:00:00+01:00", "2015-05-30T12:00:00+01:00",
                                     destination="DIED")))
    expect(c, area, "2015-05", "weekendDischargeRatio", 10, (10 / 12) / (10 / 19), 10)


def urgent(c):
    area = c.area(POP)

    def ref(t, rid, urgency):
        return ev(t, "referralReceived", referralId=rid, fromSector="HEALTH", fromOrganisation="GP",
                  toService="Rapid response", reason="falls", urgency=urgency)
    many(c, area, lambda i: ("1950-01-01", [
        ref("2015-06-01T10:00:00+01:00", "R1", "URGENT"), ev("2015-06-02T10:00:00+01:00", "referralAccepted", referralId="R1"),
        ref("2015-06-03T10:00:00+01:00", "R2", "CRISIS"),
        ev("2015-06-04T11:00:00+01:00", "referralDeclined", referralId="R2", reason="x"),
        ref("2015-06-05T10:00:00+01:00", "R3", "ROUTINE"), ev("2015-06-05T11:00:00+01:00", "referralAccepted", referralId="R3"),
        ref("2015-06-06T10:00:00+01:00", "R4", "CRISIS"),
        ev("2015-06-06T12:00:00+01:00", "referralDeclined", referralId="R4", reason="x"),
        ref("2015-06-07T10:00:00+01:00", "R5", "URGENT")]))
    expect(c, area, "2015-06", "urgentResponse24h", 20, 50.0, 40)


def coverage(c):
    area = c.area(POP)
    joint = lambda: [ev("2015-06-02T10:00:00+01:00", "jointAssessmentStarted", assessmentId="J1",
                participants=[{"professionalId": "D", "name": "Dr D", "sector": "HEALTH", "role": "GP"},
                              {"professionalId": "S", "name": "S W", "sector": "SOCIAL_CARE", "role": "SW"}]),
             ev("2015-06-04T10:00:00+01:00", "jointAssessmentCompleted", assessmentId="J1", outcome="PACKAGE_NEEDED"),
             ev("2015-06-05T10:00:00+01:00", "carePackageStarted", packageId="P1", assessmentId="J1", integrated=True,
                scheme="ITF08", pooledBudget=True),
             ev("2015-06-06T10:00:00+01:00", "accountableProfessionalAssigned", packageId="P1", professionalId="S",
                name="S W", role="SW", organisation="Council", sector="SOCIAL_CARE", phone="1"),
             ev("2015-06-07T10:00:00+01:00", "experienceSurveyCompleted", surveyId="Q1", positive=True, question="q")]
    plain = lambda: [ev("2015-06-05T10:00:00+01:00", "carePackageStarted", packageId="P1", integrated=True, scheme="ITF08"),
             ev("2015-06-07T10:00:00+01:00", "experienceSurveyCompleted", surveyId="Q1", positive=False, question="q"),
             ev("2015-07-05T10:00:00+01:00", "nhsNumberVerified")]
    for i in range(PEOPLE):
        c.must_post(c.nhs.next(), [reg("2015-06-01T10:00:00+01:00", "1950-01-01", area, "VERIFIED")] + joint())
        c.must_post(c.nhs.next(), [reg("2015-06-01T10:00:00+01:00", "1950-01-01", area, "UNVERIFIED")] + plain())
    expect(c, area, "2015-06", "nhsNumberVerified", 10, 50.0, 20)
    expect(c, area, "2015-07", "nhsNumberVerified", 10, 100.0, 10)
    expect(c, area, "2015-06", "accountableProfessionalCoverage", 10, 50.0, 20)
    expect(c, area, "2015-06", "jointAssessmentCoverage", 10, 50.0, 20)
    expect(c, area, "2015-06", "patientExperience", 10, 50.0, 20)


def disclosure(c):
    for n, want in ((0, 0), (1, None), (7, None), (8, 10), (12, 10), (23, 25)):
        area = c.area(POP)
        c.must_post(c.nhs.next(), [reg("2015-06-01T10:00:00+01:00", "1950-01-01", area)] +
                    [ev(f"2015-06-{2 + i:02d}T10:00:00+01:00", "aeAttended", attendanceId=f"A{i}", site="Q")
                     for i in range(n)])
        e = metrics(c, area, "2015-06")[0]["aeAttendances"]
        c.r.check(f"A&E count {n} shows value {want}, numerator {want}, suppressed {want is None}",
                  "value" in e and e["value"] == want and e.get("numerator") == want
                  and e.get("suppressed") is (want is None), e)


def as_of(c):
    area = c.area(POP)
    people = [c.nhs.next() for _ in range(PEOPLE)]
    for p in people:
        c.must_post(p, [reg("2015-06-01T10:00:00+01:00", "1950-01-01", area)])
    time.sleep(1.1)
    t0 = lib.iso(lib.utcnow())
    time.sleep(1.1)
    ids = []
    for p in people:
        e = ev("2015-06-10T10:00:00+01:00", "hospitalAdmitted", spellId="S1", method="EMERGENCY")
        ids.append(e["eventId"])
        c.must_post(p, [e])
    time.sleep(1.1)
    t1 = lib.iso(lib.utcnow())
    time.sleep(1.1)
    for p, i in zip(people, ids):
        c.must_post(p, [ev(lib.iso(lib.utcnow()), "eventRetracted", eventId=i, reason="entered in error")])
    m0, r0 = metrics(c, area, "2015-06", t0)
    c.r.check("asOf echoed", r0.json.get("asOf") not in (None, ""), r0.json.get("asOf"))
    c.r.eq("asOf before the late admissions: 0", m0["nonElectiveAdmissions"]["value"], 0)
    c.r.eq("asOf between: 10", metrics(c, area, "2015-06", t1)[0]["nonElectiveAdmissions"]["value"], 10)
    c.r.eq("now, after the retractions: 0", metrics(c, area, "2015-06")[0]["nonElectiveAdmissions"]["value"], 0)
    s = c.read(f"/v1/areas/{area}/metrics/nonElectiveAdmissions?from=2015-06&to=2015-06&granularity=month"
               f"&asOf={t1}", c.t["commissioner"])
    c.r.check("series asOf", s.status == 200 and s.json["points"][0]["value"] == 10, s)
    raw = c.read(f"/v1/areas/{area}/metrics?period=2015-06&asOf={t1.replace('Z', '+00:00')}", c.t["commissioner"])
    c.r.check("asOf with an unencoded + offset", raw.status == 200 and
              {m["metric"]: m for m in raw.json["metrics"]}["nonElectiveAdmissions"]["value"] == 10, raw)


def series_csv(c):
    area = getattr(c, "delayed_area", None)
    if area is None:
        raise RuntimeError("needs the delayed_days scenario first")
    tok = c.t["commissioner"]
    s = c.read(f"/v1/areas/{area}/metrics/delayedDays?from=2015-04&to=2015-07&granularity=month", tok)
    c.r.eq("month series 200", s.status, 200)
    pts = (s.json or {}).get("points") or []
    c.r.eq("metric echoed", (s.json or {}).get("metric"), "delayedDays")
    c.r.eq("month points", [(p.get("period"), p.get("numerator")) for p in pts],
           [("2015-04", 30), ("2015-05", 20), ("2015-06", 0), ("2015-07", 10)])
    c.r.check("point fields", all({"period", "value", "numerator", "denominator", "suppressed", "target"} <= set(p)
                                  for p in pts) and pts, pts)
    s = c.read(f"/v1/areas/{area}/metrics/delayedDays?from=2015-16-Q1&to=2015-16-Q2&granularity=quarter", tok)
    c.r.eq("quarter points", [(p.get("period"), p.get("numerator")) for p in (s.json or {}).get("points", [])],
           [("2015-16-Q1", 50), ("2015-16-Q2", 70)])
    s = c.read(f"/v1/areas/{area}/metrics/delayedDays?from=2015-16&to=2015-16&granularity=year", tok)
    c.r.eq("year points", [(p.get("period"), p.get("numerator")) for p in (s.json or {}).get("points", [])],
           [("2015-16", 160)])
    s = c.read(f"/v1/areas/{area}/metrics/delayedDays?from=2015-16&to=2015-16&granularity=month", tok)
    c.r.check("a year asked by month gives its 12 months",
              s.status == 200 and [p["period"] for p in s.json["points"]]
              == [f"2015-{m:02d}" for m in range(4, 13)] + [f"2016-{m:02d}" for m in range(1, 4)], s)
    problem_ok(c, "granularity=week", c.api.get(f"/v1/areas/{area}/metrics/delayedDays?from=2015-04&to=2015-05"
                                                "&granularity=week", tok), 400)
    u = c.api.get(f"/v1/areas/{area}/metrics/bogusMetric?from=2015-04&to=2015-05&granularity=month", tok)
    c.r.check("unknown metric 4xx problem", u.status in (400, 404) and u.ctype == "application/problem+json", u)
    v = c.read(f"/v1/areas/{area}/metrics.csv?from=2015-04&to=2015-05&granularity=month", tok)
    c.r.check("csv 200 text/csv", v.status == 200 and v.ctype == "text/csv", v)
    lines = v.text.splitlines()
    c.r.eq("csv header", lines[0] if lines else None,
           "area,period,metric,value,numerator,denominator,suppressed,baseline,target")
    c.r.eq("csv rows: 2 months x 12 metrics", len(lines) - 1, 24)
    row = [ln for ln in lines if ",2015-04,delayedDays," in ln]
    c.r.check("csv delayedDays April row", row and row[0].split(",")[4] == "30" and row[0].startswith(area), row)
    problem_ok(c, "csv for a commissioner of another area",
               c.api.get(f"/v1/areas/{area}/metrics.csv?from=2015-04&to=2015-05&granularity=month",
                         c.t["commissionerOther"]), 403)


def min_position(c):
    area = c.area(POP)
    c.must_post(c.nhs.next(), [reg("2015-06-01T10:00:00+01:00", "1950-01-01", area)])
    tok = c.t["commissioner"]
    r = c.api.get(f"/v1/areas/{area}/metrics?period=2015-06&minPosition={c.last}", tok)
    c.r.eq("minPosition reached: 200", r.status, 200)
    t = time.time()
    r = c.api.get(f"/v1/areas/{area}/metrics?period=2015-06&minPosition={c.last + 10**9}", tok)
    took = time.time() - t
    c.r.check("minPosition far ahead: 503 with Retry-After after about 5 s",
              r.status == 503 and "retry-after" in r.headers and 4.5 <= took <= 15, (r, took))
    problem_ok(c, "minPosition=abc", c.api.get(f"/v1/areas/{area}/metrics?period=2015-06&minPosition=abc", tok), 400)
    r = c.api.get(f"/v1/worklists/discharge?area={area}&minPosition={c.last}", c.t["dischargeCoordinator"])
    c.r.eq("worklist minPosition 200", r.status, 200)
    r = c.api.get(f"/v1/areas/{area}/payments/2015-16?minPosition={c.last}", tok)
    c.r.check("payments minPosition answers (no plan: 404 or empty)", r.status in (200, 404), r)


def payments(c):
    area = c.area(POP)
    plan = {"allocationGbp": 14000000, "performanceElementGbp": 3700000,
            "conditions": {"plansJointlyAgreed": True, "socialCareProtected": True, "acuteImpactAgreed": False},
            "targets": [{"metric": "nonElectiveAdmissions", "period": "2015-16-Q1", "baseline": 6200, "target": 5983}],
            "tranches": [{"id": "2015-16-Q1", "period": "2015-16-Q1", "unitCostGbp": 1490,
                          "metrics": [{"metric": "nonElectiveAdmissions", "weight": 1}]}]}
    r = c.seen(c.api.req("PUT", f"/v1/areas/{area}/plans/2015-16", plan, c.t["admin"]))
    c.r.eq("plan of the example 201", r.status, 201)
    # 6,100 emergency admissions in 2015-16 Q1: 61 people with 100 short spells each.
    for p in range(61):
        evs = [reg("2015-04-01T00:30:00+01:00", "1950-01-01", area)]
        for k in range(100):
            day, hour = divmod(k, 2)
            t = f"2015-{4 + day // 30:02d}-{1 + day % 30:02d}T{8 + 6 * hour:02d}:00:00+01:00"
            t2 = t.replace(f"T{8 + 6 * hour:02d}:", f"T{10 + 6 * hour:02d}:")
            evs += spell(f"S{k}", t, t2)
        c.must_post(c.nhs.next(), evs)
    r = c.read(f"/v1/areas/{area}/payments/2015-16", c.t["commissioner"])
    c.r.eq("payments 200", r.status, 200)
    body = r.json or {}
    c.r.check("payments fields", {"area", "year", "asOf", "tranches", "totalEarnedGbp", "totalWithheldGbp"} <= set(body)
              and body.get("year") == "2015-16" and body.get("area") == area, body)
    tr = (body.get("tranches") or [{}])[0]
    c.r.check("tranche fields", {"id", "period", "potGbp", "achievement", "earnedGbp", "withheldGbp",
                                 "recoveryPlanRequired", "metrics"} <= set(tr), tr)
    c.r.close("pot = 217 x 1490 = 323,330", tr.get("potGbp"), 323330.0, 0.001)
    c.r.close("achievement 100/217", tr.get("achievement"), 100 / 217, 1e-4)
    c.r.close("earned 149,000.00", tr.get("earnedGbp"), 149000.00, 0.001)
    c.r.close("withheld 174,330.00", tr.get("withheldGbp"), 174330.00, 0.001)
    c.r.eq("recovery plan required", tr.get("recoveryPlanRequired"), True)
    m = (tr.get("metrics") or [{}])[0]
    c.r.check("tranche metric: baseline, target, exact actual, achievement, weight",
              m.get("metric") == "nonElectiveAdmissions" and m.get("baseline") == 6200 and m.get("target") == 5983
              and m.get("actual") == 6100 and abs((m.get("achievement") or 0) - 100 / 217) < 1e-4
              and m.get("weight") == 1, m)
    c.r.close("totalEarnedGbp", body.get("totalEarnedGbp"), 149000.0, 0.001)
    c.r.close("totalWithheldGbp", body.get("totalWithheldGbp"), 174330.0, 0.001)
    for key in ("potGbp", "earnedGbp", "withheldGbp", "totalEarnedGbp", "totalWithheldGbp"):
        ok, found = lib.money_text_ok(r.text, key)
        c.r.check(f"{key} is a number with at most 2 decimals", ok, found)
    mm = metrics(c, area, "2015-16-Q1")[0]["nonElectiveAdmissions"]
    c.r.check("metrics show the plan's baseline and target",
              mm.get("value") == 6100 and mm.get("baseline") == 6200 and mm.get("target") == 5983, mm)
    s = c.read(f"/v1/areas/{area}/metrics/nonElectiveAdmissions?from=2015-16-Q1&to=2015-16-Q2&granularity=quarter",
               c.t["commissioner"])
    c.r.check("series points carry the plan's target", s.status == 200 and
              [p.get("target") for p in s.json["points"]] == [5983, None], s)
    cond = c.read(f"/v1/areas/{area}/conditions?period=2015-16", c.t["commissioner"])
    c.r.check("conditions scorecard shows the plan's statements", cond.status == 200 and
              '"plansJointlyAgreed":true' in cond.text.replace(" ", "")
              and '"acuteImpactAgreed":false' in cond.text.replace(" ", ""), cond)
    c.r.eq("admin reads payments", c.api.get(f"/v1/areas/{area}/payments/2015-16", c.t["admin"]).status, 200)
    problem_ok(c, "commissioner of another area", c.api.get(f"/v1/areas/{area}/payments/2015-16",
                                                            c.t["commissionerOther"]), 403)
    problem_ok(c, "payments year 2015", c.api.get(f"/v1/areas/{area}/payments/2015", c.t["commissioner"]), 400)


SCENARIOS = [("shape", shape), ("delayed_days", delayed_days), ("permanent_admissions", permanent_admissions),
             ("reablement", reablement), ("moving", moving), ("weekend", weekend), ("urgent", urgent),
             ("coverage", coverage), ("disclosure", disclosure), ("as_of", as_of), ("series_csv", series_csv),
             ("min_position", min_position), ("payments", payments)]
