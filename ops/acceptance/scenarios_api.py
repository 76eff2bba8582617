"""Acceptance scenarios of the HTTP conventions, areas, plans, person events, rules, worklists,
access, audit and feed (API.md and SPEC.md read as a client would)."""

import datetime as dt
import json

import lib
from lib import ev, reg, spell

PROBLEM = "application/problem+json"


def problem_ok(c, name, r, status):
    """A refusal with its status and a problem+json body naming that status."""
    ok = r.status == status and r.ctype == PROBLEM
    body = {}
    if ok:
        try:
            body = r.json
        except ValueError:
            ok = False
    ok = ok and all(k in body for k in ("type", "title", "status", "detail")) and body["status"] == status
    return c.r.check(f"{name} -> {status} problem+json", ok, r)


def ops(c):
    for path in ("/healthz", "/readyz"):
        c.r.eq(f"{path} 200 without a token", c.api.get(path).status, 200)
    m = c.api.get("/metrics")
    c.r.check("/metrics is Prometheus text without a token",
              m.status == 200 and m.ctype == "text/plain" and "# TYPE" in m.text, m)
    c.r.check("/metrics has a latency histogram", "_bucket{" in m.text, m.text[:300])
    c.r.check("/metrics has requests by route and status", "route=" in m.text and "status=" in m.text, m.text[:300])
    c.r.check("/metrics has appended events", "appended" in m.text, m.text[:300])
    c.r.check("/metrics has the projection lag", "lag" in m.text, m.text[-500:])
    for path in ("/", "/worklist"):
        p = c.api.get(path)
        c.r.check(f"page {path} is html without a token", p.status == 200 and p.ctype == "text/html", p)


def auth(c):
    problem_ok(c, "no token", c.api.get("/v1/areas"), 401)
    problem_ok(c, "unknown token", c.api.get("/v1/areas", "not-a-token"), 401)
    problem_ok(c, "basic auth", c.api.get("/v1/areas", headers={"Authorization": "Basic YTpi"}), 401)
    problem_ok(c, "practitioner lists areas", c.api.get("/v1/areas", c.t["practitioner"]), 403)
    problem_ok(c, "no token on a person", c.api.get(f"/v1/people/{c.nhs.next()}"), 401)


def areas(c):
    code = c._areas.pop(0)
    body = {"name": "Barking and Dagenham",
            "population": [{"year": 2014, "age0to17": 58000, "age18to64": 120000, "age65plus": 20000}]}
    adm = c.t["admin"]
    r = c.api.req("PUT", f"/v1/areas/{code}", body, adm)
    c.r.eq("PUT new area 201", r.status, 201)
    c.r.check("PUT answers json", r.ctype == "application/json", r)
    r = c.api.req("PUT", f"/v1/areas/{code}", body, adm)
    c.r.eq("PUT again (replace) 200", r.status, 200)
    g = c.api.get(f"/v1/areas/{code}", adm)
    c.r.check("GET area has name and population",
              g.status == 200 and g.json.get("name") == body["name"]
              and g.json.get("population") == body["population"], g)
    lst = c.api.get("/v1/areas", adm)
    c.r.check("GET /v1/areas lists it", lst.status == 200 and code in lst.text, lst)
    problem_ok(c, "unknown area", c.api.get("/v1/areas/E09999998", adm), 404)
    problem_ok(c, "unknown field in area", c.api.req("PUT", f"/v1/areas/{code}", dict(body, colour=1), adm), 400)
    problem_ok(c, "area code not E + 8 digits", c.api.req("PUT", "/v1/areas/X123", body, adm), 400)
    problem_ok(c, "bad JSON area", c.api.req("PUT", f"/v1/areas/{code}", b"{", adm), 400)
    c.r.eq("commissioner GETs own area", c.api.get(f"/v1/areas/{code}", c.t["commissioner"]).status, 200)
    problem_ok(c, "commissioner GETs another area", c.api.get(f"/v1/areas/{code}", c.t["commissionerOther"]), 403)
    problem_ok(c, "commissioner PUTs area", c.api.req("PUT", f"/v1/areas/{code}", body, c.t["commissioner"]), 403)
    problem_ok(c, "practitioner GETs area", c.api.get(f"/v1/areas/{code}", c.t["practitioner"]), 403)


def good_plan():
    return {"allocationGbp": 14000000, "performanceElementGbp": 3700000,
            "conditions": {"plansJointlyAgreed": True, "socialCareProtected": True, "acuteImpactAgreed": False},
            "targets": [{"metric": "nonElectiveAdmissions", "period": "2015-16-Q1", "baseline": 6200, "target": 5983},
                        {"metric": "delayedDays", "period": "2015-16", "baseline": 900, "target": 800},
                        {"metric": "reablement91", "period": "2015-16", "baseline": 80, "target": 85}],
            "tranches": [{"id": "2015-16-Q1", "period": "2015-16-Q1", "unitCostGbp": 1490,
                          "metrics": [{"metric": "nonElectiveAdmissions", "weight": 1}]},
                         {"id": "oct-2015", "period": "2015-16", "amountGbp": 1850000,
                          "metrics": [{"metric": "delayedDays", "weight": 1}, {"metric": "reablement91", "weight": 1}]}]}


def plans(c):
    area = c.area()
    adm, path = c.t["admin"], f"/v1/areas/{area}/plans/2015-16"
    r = c.api.req("PUT", path, good_plan(), adm)
    c.r.eq("PUT plan 201", r.status, 201)
    c.r.eq("PUT plan again 200", c.api.req("PUT", path, good_plan(), adm).status, 200)
    g = c.api.get(path, adm)
    c.r.check("GET plan gives tranches and targets back",
              g.status == 200 and g.json.get("tranches") == good_plan()["tranches"]
              and g.json.get("targets") == good_plan()["targets"], g)
    c.r.eq("commissioner GETs plan", c.api.get(path, c.t["commissioner"]).status, 200)
    problem_ok(c, "commissioner PUTs plan", c.api.req("PUT", path, good_plan(), c.t["commissioner"]), 403)
    bad = good_plan()
    bad["targets"] = bad["targets"][1:]
    problem_ok(c, "tranche metric without a target", c.api.req("PUT", path, bad, adm), 422)
    bad = good_plan()
    bad["tranches"][0]["amountGbp"] = 100
    problem_ok(c, "tranche with amountGbp and unitCostGbp", c.api.req("PUT", path, bad, adm), 422)
    bad = good_plan()
    del bad["tranches"][1]["amountGbp"]
    problem_ok(c, "tranche with neither amount nor unit cost", c.api.req("PUT", path, bad, adm), 422)
    bad = good_plan()
    bad["tranches"][0]["metrics"].append({"metric": "delayedDays", "weight": 1})
    bad["targets"].append({"metric": "delayedDays", "period": "2015-16-Q1", "baseline": 1, "target": 0})
    problem_ok(c, "unitCostGbp tranche with two metrics", c.api.req("PUT", path, bad, adm), 422)
    problem_ok(c, "plan year 2015", c.api.req("PUT", f"/v1/areas/{area}/plans/2015", good_plan(), adm), 400)
    problem_ok(c, "unknown field in plan", c.api.req("PUT", path, dict(good_plan(), extra=1), adm), 400)
    g2 = c.api.get(path, adm)
    c.r.check("refused plans changed nothing", g2.status == 200 and g2.json == g.json, g2)


API_EXAMPLE = """{"events": [
  {"eventId": "3f2a…", "occurredAt": "2014-06-07T10:15:00+01:00",
   "personRegistered": {"birthDate": "1938-02-11", "areaCode": "E09000002", "gpPractice": "F82001",
                        "nhsNumberStatus": "VERIFIED"}},
  {"eventId": "9c1d…", "occurredAt": "2014-06-07T11:00:00+01:00",
   "hospitalAdmitted": {"spellId": "S1", "provider": "RF4", "site": "Queen's", "method": "EMERGENCY"}}]}"""


def api_examples(c):
    """The request bodies of API.md as printed."""
    r = c.seen(c.api.req("POST", "/v1/people/943%20476%205919/events", API_EXAMPLE.encode(), c.t["practitioner"]))
    c.r.check("API.md's person events example, to 943 476 5919: 201 versions 1-2",
              r.status == 201 and r.json == {"nhsNumber": "9434765919", "firstVersion": 1, "lastVersion": 2,
                                             "lastPosition": r.json.get("lastPosition")}, r)
    h = c.api.get("/v1/people/9434765919/events", c.t["practitioner"])
    c.r.check("... its event ids and occurredAt come back as sent",
              h.status == 200 and [(e["eventId"], e["occurredAt"]) for e in h.json["events"]]
              == [("3f2a…", "2014-06-07T10:15:00+01:00"), ("9c1d…", "2014-06-07T11:00:00+01:00")], h)


def people_write(c):
    area = c.area()
    nhs = c.nhs.next()
    evs = [reg("2014-06-07T10:15:00+01:00", "1938-02-11", area),
           ev("2014-06-07T11:00:00+01:00", "hospitalAdmitted", spellId="S1", provider="RF4", site="Queen's",
              method="EMERGENCY")]
    r = c.post(nhs, evs)
    c.r.eq("append 201", r.status, 201)
    b = r.json or {}
    c.r.check("201 body fields", set(b) >= {"nhsNumber", "firstVersion", "lastVersion", "lastPosition"}, b)
    c.r.check("201 figures", b.get("nhsNumber") == nhs and b.get("firstVersion") == 1 and b.get("lastVersion") == 2
              and isinstance(b.get("lastPosition"), int), b)
    r2 = c.post(nhs, evs)
    c.r.check("retry 200 with the original figures", r2.status == 200 and r2.json == b, r2)
    r2 = c.post(nhs, evs[1:])
    c.r.check("retry of a suffix 200 with its figures", r2.status == 200 and r2.json.get("firstVersion") == 2, r2)
    changed = [dict(evs[1], hospitalAdmitted=dict(evs[1]["hospitalAdmitted"], site="Other"))]
    problem_ok(c, "same eventId, other content", c.post(nhs, changed), 409)
    ae = ev("2014-06-08T10:00:00+01:00", "aeAttended", attendanceId="AE1", site="Queen's")
    problem_ok(c, "If-Match stale", c.post(nhs, [ae], headers={"If-Match": '"1"'}), 412)
    r3 = c.post(nhs, [ae], headers={"If-Match": '"2"'})
    c.r.check("If-Match current 201", r3.status == 201 and r3.json.get("firstVersion") == 3, r3)
    c.r.eq("version is the number of events", c.version(nhs), 3)

    sp = c.nhs.next()
    r = c.api.req("POST", f"/v1/people/{lib.spaced(sp).replace(' ', '%20')}/events",
                  {"events": [reg("2015-01-01T10:00:00Z", "1950-01-01", area)]}, c.t["practitioner"])
    c.r.check("NHS number with spaces in the path: 201, digits only back",
              r.status == 201 and r.json.get("nhsNumber") == sp, r)
    g = c.api.get(f"/v1/people/{lib.spaced(sp).replace(' ', '%20')}", c.t["practitioner"])
    c.r.check("GET with spaces in the path", g.status == 200 and g.json.get("nhsNumber") == sp, g)
    problem_ok(c, "invalid NHS number in path", c.post(lib.invalid_nhs(c.nhs.next()),
                                                       [reg("2015-01-01T10:00:00Z", "1950-01-01", area)]), 400)
    problem_ok(c, "9-digit NHS number", c.post("999000000", [reg("2015-01-01T10:00:00Z", "1950-01-01", area)]), 400)

    def bad(name, events=None, raw=None):
        before = c.version(nhs)
        if raw is not None:
            r = c.api.req("POST", f"/v1/people/{nhs}/events", raw, c.t["practitioner"])
        else:
            r = c.post(nhs, events)
        problem_ok(c, name, r, 400)
        c.r.eq(f"{name}: nothing appended", c.version(nhs), before)
        return r

    ok_ev = lambda: ev("2014-06-09T10:00:00+01:00", "aeAttended", attendanceId="AEX", site="Q")  # noqa: E731
    bad("bad JSON", raw=b'{"events": [')
    bad("body not an object", raw=b"[]")
    bad("unknown top-level field", raw=json.dumps({"events": [ok_ev()], "x": 1}).encode())
    e = ok_ev()
    e["colour"] = "red"
    bad("unknown field in event", [e])
    e = ok_ev()
    e["aeAttended"]["colour"] = "red"
    r = bad("unknown field in payload", [ok_ev(), e])
    e = ok_ev()
    del e["eventId"]
    bad("missing eventId", [e])
    e = ok_ev()
    del e["occurredAt"]
    bad("missing occurredAt", [e])
    bad("bad enum", [ev("2014-06-09T10:00:00+01:00", "hospitalAdmitted", spellId="S9", method="emergency")])
    bad("time without offset", [dict(ok_ev(), occurredAt="2014-06-09T10:00:00")])
    bad("time not RFC 3339", [dict(ok_ev(), occurredAt="09/06/2014 10:00")])
    bad("date of birth malformed", [reg("2014-06-07T10:15:00+01:00", "11/02/1938", area)])
    bad("date of birth 30 February", [reg("2014-06-07T10:15:00+01:00", "1938-02-30", area)])
    bad("occurredAt 30 February", [dict(ok_ev(), occurredAt="2015-02-30T10:00:00Z")])
    bad("a number where a string belongs", [ev("2014-06-09T10:00:00+01:00", "aeAttended", attendanceId=5)])
    bad("a string where a bool belongs", [ev("2014-06-09T10:00:00+01:00", "carePackageStarted", packageId="P",
                                             integrated="yes", scheme="ITF08")])
    bad("events not a list", raw=b'{"events": {}}')
    bad("an enum as a number", [ev("2014-06-09T10:00:00+01:00", "hospitalAdmitted", spellId="S9", method=1)])
    bad("an enum as a quoted number", [ev("2014-06-09T10:00:00+01:00", "hospitalAdmitted", spellId="S9", method="1")])
    e = ok_ev()
    e["aeAttended"] = {"attendanceId": "A"}
    e["nhsNumberVerified"] = {}
    bad("two payloads", [e])
    e = ok_ev()
    del e["aeAttended"]
    bad("no payload", [e])
    bad("1001 events", [ev("2014-06-09T10:00:00+01:00", "aeAttended", attendanceId=f"B{i}") for i in range(1001)])
    e = ok_ev()
    e["aeAttended"]["colour"] = "red"
    r = c.post(nhs, [ok_ev(), e])
    fields = [x.get("field", "") for x in (r.json or {}).get("errors", [])] if r.status == 400 else []
    c.r.check("400 errors[].field names the event index", any(f.startswith("events[1]") for f in fields), r)

    big = c.nhs.next()
    evs = [reg("2015-01-01T10:00:00Z", "1950-01-01", area)] + [
        ev(f"2015-02-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z", "aeAttended", attendanceId=f"A{i}", site="Q")
        for i in range(999)]
    r = c.post(big, evs)
    c.r.check("1000 events in one request 201", r.status == 201 and r.json.get("lastVersion") == 1000, r)
    exact = json.dumps({"events": [reg("2015-01-01T10:00:00Z", "1950-01-01", area)]}).encode()
    exact += b" " * (1024 * 1024 - len(exact))
    r = c.api.req("POST", f"/v1/people/{c.nhs.next()}/events", exact, c.t["practitioner"])
    c.r.eq("a body of exactly 1 MiB is taken", r.status, 201)
    r = c.api.req("POST", f"/v1/people/{c.nhs.next()}/events", exact + b" ", c.t["practitioner"])
    problem_ok(c, "a body of 1 MiB + 1 byte", r, 413)
    pad = "x" * (1024 * 1024 + 10)
    r = c.api.req("POST", f"/v1/people/{nhs}/events",
                  json.dumps({"events": [dict(ok_ev(), eventId=pad)]}).encode(), c.t["practitioner"])
    problem_ok(c, "body over 1 MiB", r, 413)


def rules(c):
    area = c.area()
    nhs = c.nhs.next()
    base = [reg("2015-01-01T10:00:00Z", "1940-05-05", area),
            ev("2015-02-01T10:00:00Z", "referralReceived", referralId="R1", fromSector="HEALTH",
               fromOrganisation="GP", toService="Reablement", reason="falls", urgency="URGENT"),
            ev("2015-02-10T10:00:00Z", "carePackageStarted", packageId="P1", integrated=True, scheme="ITF08",
               pooledBudget=True),
            ev("2015-02-11T10:00:00Z", "carePackageStarted", packageId="P2", integrated=False, scheme="ITF08"),
            ev("2015-02-20T10:00:00Z", "carePackageEnded", packageId="P2", reason="done")]
    base += spell("S1", "2015-03-01T10:00:00Z", "2015-03-10T10:00:00Z", destination="USUAL_RESIDENCE")
    c.must_post(nhs, base)
    filler_n = [0]

    def filler(at):
        filler_n[0] += 1
        return ev(at, "aeAttended", attendanceId=f"F{filler_n[0]}", site="Q")

    def refused(name, event, field=None, person=None, status=422, filler_at="2015-04-01T10:00:00+01:00"):
        who = person or nhs
        before = c.version(who)
        r = c.post(who, [filler(filler_at), event])
        problem_ok(c, name, r, status)
        errs = (r.json or {}).get("errors") or [] if r.status == status else []
        fields = [x.get("field", "") for x in errs]
        if field:
            c.r.check(f"{name}: errors[].field is {field}", field in fields, r)
        else:
            c.r.check(f"{name}: errors[] names events[1]", any(f.startswith("events[1]") for f in fields), r)
        c.r.check(f"{name}: every error has a message", errs and all(x.get("message") for x in errs), r)
        c.r.eq(f"{name}: nothing appended", c.version(who), before)

    refused("second personRegistered", reg("2015-04-02T10:00:00Z", "1940-05-05", area))
    refused("response to an unknown referral",
            ev("2015-04-02T10:00:00Z", "referralAccepted", referralId="NOPE"),
            field="events[1].referralAccepted.referralId")
    refused("response before the referral", ev("2015-01-20T10:00:00Z", "referralAccepted", referralId="R1"))
    c.must_post(nhs, [ev("2015-02-01T12:00:00Z", "referralAccepted", referralId="R1")])
    refused("second response to a referral",
            ev("2015-04-02T10:00:00Z", "referralDeclined", referralId="R1", reason="x"))
    refused("joint assessment with no SOCIAL_CARE participant",
            ev("2015-04-02T10:00:00Z", "jointAssessmentStarted", assessmentId="J1",
               participants=[{"professionalId": "D1", "name": "Dr A", "sector": "HEALTH", "role": "GP"}]))
    refused("completion without a start",
            ev("2015-04-02T10:00:00Z", "jointAssessmentCompleted", assessmentId="J9", outcome="PACKAGE_NEEDED"))
    refused("professional for an unknown package",
            ev("2015-04-02T10:00:00Z", "accountableProfessionalAssigned", packageId="P9", professionalId="X",
               name="N", role="R", organisation="O", sector="HEALTH", phone="1"))
    refused("professional for an ended package",
            ev("2015-04-02T10:00:00Z", "accountableProfessionalAssigned", packageId="P2", professionalId="X",
               name="N", role="R", organisation="O", sector="HEALTH", phone="1"))
    refused("ending an ended package", ev("2015-04-02T10:00:00Z", "carePackageEnded", packageId="P2", reason="x"))
    refused("overlapping spell", ev("2015-03-05T10:00:00Z", "hospitalAdmitted", spellId="S2", method="EMERGENCY"))
    refused("spell id reused", ev("2015-05-01T10:00:00Z", "hospitalAdmitted", spellId="S1", method="EMERGENCY"))
    refused("package id reused", ev("2015-05-01T10:00:00Z", "carePackageStarted", packageId="P1",
                                     integrated=True, scheme="ITF08"))
    refused("readiness after the discharge", ev("2015-03-20T10:00:00Z", "readyForDischarge", spellId="S1"))
    refused("readiness for an unknown spell", ev("2015-03-05T10:00:00Z", "readyForDischarge", spellId="S7"))
    refused("delay reason while not ready",
            ev("2015-03-05T10:00:00Z", "dischargeDelayRecorded", spellId="S1", reason="A", agency="NHS"))
    refused("follow-up without a reablement discharge",
            ev("2015-06-10T10:00:00Z", "followUpRecorded", spellId="S1", status="AT_HOME"))
    refused("retraction of an unknown event", ev("2015-04-02T10:00:00Z", "eventRetracted", eventId="nope", reason="x"))
    future = lib.iso(lib.utcnow() + dt.timedelta(minutes=10))
    refused("occurredAt 10 minutes in the future", ev(future, "aeAttended", attendanceId="FUT"))
    refused("occurredAt before 1900", ev("1899-12-31T10:00:00Z", "aeAttended", attendanceId="OLD"))
    refused("event before the birth date", ev("1940-05-04T10:00:00Z", "aeAttended", attendanceId="UNB"))
    late = c.post(nhs, [ev("2015-03-08T10:00:00Z", "readyForDischarge", spellId="S1")])
    c.r.eq("a late readiness inside the spell is accepted", late.status, 201)
    c.r.eq("a slightly future event (1 minute) is accepted",
           c.post(nhs, [ev(lib.iso(lib.utcnow() + dt.timedelta(minutes=1)), "aeAttended", attendanceId="SOON")]).status,
           201)

    first = c.nhs.next()
    r = c.post(first, [ev("2015-04-02T10:00:00Z", "aeAttended", attendanceId="A")])
    c.r.check("first event not personRegistered -> 4xx", 400 <= r.status < 500 and r.status != 404, r)
    c.r.eq("... and nothing recorded", c.version(first), 0)

    dead = c.nhs.next()
    c.must_post(dead, [reg("2015-01-01T10:00:00Z", "1930-01-01", area)] +
                spell("S1", "2015-02-01T10:00:00Z", "2015-02-05T10:00:00Z", destination="REABLEMENT") +
                [ev("2015-03-01T10:00:00Z", "personDied")])
    refused("event after death", ev("2015-03-05T10:00:00Z", "aeAttended", attendanceId="X"), person=dead,
            filler_at="2015-02-20T10:00:00Z")
    c.r.eq("follow-up after death accepted",
           c.post(dead, [ev("2015-05-07T10:00:00Z", "followUpRecorded", spellId="S1", status="DIED")]).status, 201)

    atomic = c.nhs.next()
    r = c.post(atomic, [reg("2015-01-01T10:00:00Z", "1930-01-01", area),
                        ev("2015-04-02T10:00:00Z", "referralAccepted", referralId="NOPE")])
    c.r.check("atomic: a bad second event refuses the first", r.status == 422 and c.version(atomic) == 0, r)


SCENARIOS = [("ops", ops), ("auth", auth), ("areas", areas), ("plans", plans),
             ("api_examples", api_examples), ("people_write", people_write), ("rules", rules)]
