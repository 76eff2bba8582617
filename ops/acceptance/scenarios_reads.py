"""Acceptance scenarios of the person reads, worklists, the access matrix, the audit log and the
global feed (API.md and SPEC.md "Access")."""

import datetime as dt
import zoneinfo

import lib
from lib import ev, reg, spell
from scenarios_api import problem_ok

LONDON = zoneinfo.ZoneInfo("Europe/London")
PERSON_FIELDS = {"nhsNumber", "version", "birthDate", "areaCode", "nhsNumberStatus", "localIds", "diedOn",
                 "referrals", "assessments", "packages", "spells", "placements"}
PACKAGE_FIELDS = {"packageId", "integrated", "scheme", "startedAt", "endedAt", "accountableProfessional"}


def people_read(c):
    area = c.area()
    nhs = c.nhs.next()
    c.must_post(nhs, [reg("2015-01-01T10:00:00Z", "1940-05-05", area, status="UNVERIFIED"),
                      ev("2015-01-02T10:00:00Z", "localIdLinked", system="PAS", value="H123"),
                      ev("2015-01-03T10:00:00Z", "nhsNumberVerified"),
                      ev("2015-02-10T10:00:00Z", "carePackageStarted", packageId="P1", integrated=True,
                         scheme="ITF08", pooledBudget=True)] +
                spell("S1", "2015-03-01T10:00:00Z", "2015-03-10T10:00:00Z", ready="2015-03-05T10:00:00Z"))
    tok = c.t["practitioner"]
    g = c.api.get(f"/v1/people/{nhs}", tok)
    c.r.eq("GET person 200", g.status, 200)
    p = g.json or {}
    c.r.check("person has every field API.md names", PERSON_FIELDS <= set(p), sorted(PERSON_FIELDS - set(p)))
    c.r.eq("ETag is the quoted version", g.headers.get("etag"), f'"{p.get("version")}"')
    c.r.eq("version counts the events", p.get("version"), 7)
    c.r.eq("nhsNumberStatus after a trace", p.get("nhsNumberStatus"), "VERIFIED")
    c.r.eq("birthDate as YYYY-MM-DD", p.get("birthDate"), "1940-05-05")
    c.r.eq("areaCode", p.get("areaCode"), area)
    c.r.check("diedOn null for the living", p.get("diedOn", "absent") is None, p.get("diedOn", "absent"))
    c.r.check("localIds holds {system, value}",
              any(x.get("system") == "PAS" and x.get("value") == "H123" for x in p.get("localIds", [])), p)
    pk = (p.get("packages") or [{}])[0]
    c.r.check("package has every field API.md names", PACKAGE_FIELDS <= set(pk), pk)
    c.r.check("package startedAt is RFC 3339 with offset", lib.RFC3339.match(str(pk.get("startedAt"))), pk)
    c.r.check("open package: endedAt and accountableProfessional null",
              pk.get("endedAt", 1) is None and pk.get("accountableProfessional", 1) is None, pk)
    c.r.eq("one spell", len(p.get("spells") or []), 1)
    problem_ok(c, "unknown person", c.api.get(f"/v1/people/{c.nhs.next()}", tok), 404)
    problem_ok(c, "invalid NHS number on GET", c.api.get(f"/v1/people/{lib.invalid_nhs(nhs)}", tok), 400)

    e = c.api.get(f"/v1/people/{nhs}/events?fromVersion=1&limit=3", tok)
    c.r.eq("history page 200", e.status, 200)
    evs = (e.json or {}).get("events") or []
    c.r.eq("history page has limit events", [x.get("version") for x in evs], [1, 2, 3])
    c.r.eq("nextFromVersion after a partial page", (e.json or {}).get("nextFromVersion"), 4)
    first = evs[0] if evs else {}
    c.r.check("history event fields",
              {"version", "position", "eventId", "occurredAt", "recordedAt", "recordedBy", "personRegistered"}
              <= set(first), first)
    c.r.check("recordedAt RFC 3339 with offset", lib.RFC3339.match(str(first.get("recordedAt"))), first)
    c.r.check("positions increase", all(a["position"] < b["position"] for a, b in zip(evs, evs[1:])), evs)
    e = c.api.get(f"/v1/people/{nhs}/events?fromVersion=4&limit=100", tok)
    c.r.check("last page: nextFromVersion null",
              e.status == 200 and "nextFromVersion" in e.json and e.json["nextFromVersion"] is None
              and len(e.json["events"]) == 4, e)
    e = c.api.get(f"/v1/people/{nhs}/events", tok)
    c.r.check("history without paging parameters", e.status == 200 and len(e.json["events"]) == 7, e)
    problem_ok(c, "history limit=0", c.api.get(f"/v1/people/{nhs}/events?limit=0", tok), 400)
    problem_ok(c, "history fromVersion=abc", c.api.get(f"/v1/people/{nhs}/events?fromVersion=abc", tok), 400)


def worklists(c):
    area = c.area()
    now = lib.utcnow().replace(microsecond=0)
    ago = lambda **kw: lib.iso(now - dt.timedelta(**kw))  # noqa: E731
    today = now.astimezone(LONDON).date()
    # London noon `days` days ago: always that many midnights back, even when the check runs in the
    # minutes after midnight (where "3 days and 5 minutes ago" is 4 midnights back).
    noon = lambda days: dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), LONDON).isoformat()  # noqa: E731,E501
    a, b, f, g, u = (c.nhs.next() for _ in range(5))
    c.must_post(a, [reg(ago(days=400), "1940-01-01", area),
                    ev(ago(days=20), "carePackageStarted", packageId="P1", integrated=True, scheme="ITF08"),
                    ev(ago(days=19), "accountableProfessionalAssigned", packageId="P1", professionalId="SW1",
                       name="Sam Worker", role="Social worker", organisation="Council", sector="SOCIAL_CARE",
                       phone="020 7946 0000")] +
                spell("S1", ago(days=10), ready=noon(3)) +
                [ev(ago(days=2), "dischargeDelayRecorded", spellId="S1", reason="D1", agency="SOCIAL_CARE")],
                c.t["dischargeCoordinator"])
    c.must_post(b, [reg(ago(days=400), "1950-01-01", area)] + spell("S1", ago(days=5), ready=noon(1)),
                c.t["dischargeCoordinator"])
    discharged = now - dt.timedelta(days=100)
    c.must_post(f, [reg(ago(days=400), "1940-01-01", area)] +
                spell("S1", lib.iso(discharged - dt.timedelta(days=3)), lib.iso(discharged), destination="REABLEMENT"))
    edge = {}
    for days in (91, 90):  # discharged (London date) 91 days ago is due today; 90 days ago is not
        nhs = c.nhs.next()
        edge[days] = nhs
        d = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), LONDON)
        c.must_post(nhs, [reg(ago(days=400), "1940-01-01", area)] +
                    spell("S1", (d - dt.timedelta(days=2)).isoformat(), d.isoformat(), destination="REHABILITATION_BED"))
    c.must_post(g, [reg(ago(days=400), "1940-01-01", area)] +
                spell("S1", ago(days=13), ago(days=10), destination="REABLEMENT"))
    c.must_post(u, [reg(ago(days=400), "1940-01-01", area),
                    ev(noon(5), "carePackageStarted", packageId="P7", integrated=True, scheme="ITF08"),
                    ev(ago(days=4), "carePackageStarted", packageId="P8", integrated=False, scheme="ITF08")])
    dc = c.t["dischargeCoordinator"]
    w = c.read(f"/v1/worklists/discharge?area={area}", dc)
    c.r.eq("discharge worklist 200", w.status, 200)
    items = (w.json or {}).get("items") or []
    c.r.eq("ready people, longest delay first", [i.get("nhsNumber") for i in items], [a, b])
    fields = {"nhsNumber", "spellId", "site", "readySince", "daysDelayed", "reason", "agency", "readyOnWeekend",
              "accountableProfessional"}
    first = items[0] if items else {}
    c.r.check("discharge item has every field", fields <= set(first), first)
    c.r.eq("daysDelayed counts midnights", [i.get("daysDelayed") for i in items], [3, 1])
    c.r.check("current reason and agency", first.get("reason") == "D1" and first.get("agency") == "SOCIAL_CARE", first)
    c.r.check("readySince RFC 3339", lib.RFC3339.match(str(first.get("readySince"))), first)
    ready_day = today - dt.timedelta(days=3)
    c.r.check("readyOnWeekend is a bool (Sat/Sun at least)",
              isinstance(first.get("readyOnWeekend"), bool)
              and (ready_day.weekday() < 5 or first.get("readyOnWeekend") is True), first)
    ap = first.get("accountableProfessional") or {}
    c.r.check("accountable professional of the open package", "Sam Worker" in str(ap), first)
    s = c.read(f"/v1/worklists/discharge?area={area}&site=Nowhere", dc)
    c.r.check("site filter", s.status == 200 and s.json["items"] == [], s)
    s = c.read(f"/v1/worklists/discharge?area={area}&site=Queen%27s", dc)
    c.r.check("site filter keeps the site", s.status == 200 and len(s.json["items"]) == 2, s)

    fu = c.read(f"/v1/worklists/follow-ups?area={area}", dc)
    items = (fu.json or {}).get("items") or []
    c.r.eq("follow-ups due: past or at day 91, earliest first", [i.get("nhsNumber") for i in items], [f, edge[91]])
    due = (discharged.astimezone(LONDON).date() + dt.timedelta(days=91)).isoformat()
    it = items[0] if items else {}
    c.r.check("follow-up item fields and dueOn = discharge + 91",
              {"nhsNumber", "spellId", "dischargedOn", "dueOn"} <= set(it) and it.get("dueOn") == due
              and it.get("dischargedOn") == discharged.astimezone(LONDON).date().isoformat(), (it, due))
    up = c.read(f"/v1/worklists/unassigned-packages?area={area}", dc)
    items = (up.json or {}).get("items") or []
    c.r.eq("unassigned: integrated open packages without a professional",
           [(i.get("nhsNumber"), i.get("packageId")) for i in items], [(u, "P7")])
    it = items[0] if items else {}
    c.r.check("unassigned item fields, daysWithout",
              {"nhsNumber", "packageId", "startedAt", "daysWithout"} <= set(it) and it.get("daysWithout") == 5, it)
    problem_ok(c, "worklist without area", c.api.get("/v1/worklists/discharge", dc), 400)
    problem_ok(c, "worklist of another area", c.read(f"/v1/worklists/discharge?area={c.other_area}", dc), 403)
    problem_ok(c, "commissioner reads a worklist",
               c.read(f"/v1/worklists/discharge?area={area}", c.t["commissioner"]), 403)
    c.r.eq("practitioner reads a worklist",
           c.read(f"/v1/worklists/follow-ups?area={area}", c.t["practitioner"]).status, 200)
    c.must_post(a, [ev(ago(minutes=1), "discharged", spellId="S1", destination="USUAL_RESIDENCE")], dc)
    w = c.read(f"/v1/worklists/discharge?area={area}", dc)
    c.r.check("discharged person leaves the worklist",
              w.status == 200 and [i["nhsNumber"] for i in w.json["items"]] == [b], w)


def access(c):
    area = c.area()
    nhs = c.nhs.next()
    r = c.post(nhs, [reg("2015-01-01T10:00:00Z", "1940-01-01", area)], c.t["dischargeCoordinator"])
    c.r.eq("dischargeCoordinator writes a person", r.status, 201)
    t = c.t
    c.r.eq("dischargeCoordinator reads the person", c.api.get(f"/v1/people/{nhs}", t["dischargeCoordinator"]).status,
           200)
    problem_ok(c, "practitioner puts an area", c.api.req("PUT", f"/v1/areas/{area}", {"name": "x"}, t["practitioner"]),
               403)
    for role in ("commissioner", "admin", "auditor"):
        problem_ok(c, f"{role} reads a person", c.api.get(f"/v1/people/{nhs}", t[role]), 403)
        problem_ok(c, f"{role} reads a history", c.api.get(f"/v1/people/{nhs}/events", t[role]), 403)
        problem_ok(c, f"{role} writes a person",
                   c.post(nhs, [ev("2015-02-01T10:00:00Z", "aeAttended", attendanceId=f"X{role}")], t[role]), 403)
    problem_ok(c, "practitioner of another area reads", c.api.get(f"/v1/people/{nhs}", t["practitionerOther"]), 403)
    problem_ok(c, "practitioner of another area writes",
               c.post(nhs, [ev("2015-02-01T10:00:00Z", "aeAttended", attendanceId="Y")], t["practitionerOther"]), 403)
    moved = c.nhs.next()
    c.must_post(moved, [reg("2015-01-01T10:00:00Z", "1940-01-01", area),
                        ev("2015-03-01T10:00:00Z", "personMoved", areaCode=c.other_area)])
    problem_ok(c, "after a move away, the old area's practitioner reads", c.api.get(f"/v1/people/{moved}",
                                                                                    t["practitioner"]), 403)
    c.r.eq("after a move, the new area's practitioner reads",
           c.api.get(f"/v1/people/{moved}", t["practitionerOther"]).status, 200)
    problem_ok(c, "practitioner registers into another area",
               c.post(c.nhs.next(), [reg("2015-01-01T10:00:00Z", "1940-01-01", c.other_area)]), 403)
    for role in ("practitioner", "dischargeCoordinator", "auditor"):
        problem_ok(c, f"{role} reads metrics", c.api.get(f"/v1/areas/{area}/metrics?period=2015-16", t[role]), 403)
        problem_ok(c, f"{role} reads payments", c.api.get(f"/v1/areas/{area}/payments/2015-16", t[role]), 403)
    for role in ("commissioner", "admin"):
        c.r.eq(f"{role} reads metrics", c.api.get(f"/v1/areas/{area}/metrics?period=2015-16", t[role]).status, 200)
    problem_ok(c, "commissioner reads another area's metrics",
               c.api.get(f"/v1/areas/{area}/metrics?period=2015-16", t["commissionerOther"]), 403)
    for role in ("commissioner", "practitioner", "auditor"):
        problem_ok(c, f"{role} reads the feed", c.api.get("/v1/events?after=0&limit=1", t[role]), 403)
    for role in ("commissioner", "practitioner", "admin"):
        problem_ok(c, f"{role} reads the audit", c.api.get(f"/v1/audit?nhsNumber={nhs}", t[role]), 403)
    problem_ok(c, "commissioner puts a plan",
               c.api.req("PUT", f"/v1/areas/{area}/plans/2015-16", {}, t["commissioner"]), 403)


def audit(c):
    area = c.area()
    nhs = c.nhs.next()
    c.must_post(nhs, [reg("2015-01-01T10:00:00Z", "1940-01-01", area)])
    c.api.get(f"/v1/people/{nhs}", c.t["practitioner"])
    c.api.get(f"/v1/people/{nhs}", c.t["commissioner"])
    c.post(nhs, [ev("2015-04-02T10:00:00Z", "referralAccepted", referralId="NOPE")])
    a = c.api.get(f"/v1/audit?nhsNumber={nhs}", c.t["auditor"])
    c.r.eq("auditor reads the audit", a.status, 200)
    entries = []
    if a.status == 200:
        body = a.json
        entries = body.get("entries") or body.get("items") or body.get("events") or []
    c.r.check("at least write, read, refused read, refused write", len(entries) >= 4, a)
    text = a.text
    c.r.check("entries say who and role", "acc-practitioner" in text and "commissioner" in text, text[:500])
    c.r.check("the refusal is there (403)", "403" in text or "denied" in text.lower() or "refus" in text.lower(),
              text[:500])
    c.r.check("the 422 write is there", "422" in text, text[:500])
    if entries and "id" in entries[0]:
        a2 = c.api.get(f"/v1/audit?nhsNumber={nhs}&after={entries[0]['id']}", c.t["auditor"])
        more = a2.json.get("entries") or a2.json.get("items") or [] if a2.status == 200 else None
        c.r.check("after=ID pages on", more is not None and len(more) == len(entries) - 1, a2)
    a3 = c.api.get(f"/v1/audit?nhsNumber={lib.spaced(nhs).replace(' ', '%20')}", c.t["auditor"])
    c.r.check("audit takes a spaced NHS number", a3.status == 200 and a3.text == a.text or a3.status == 200, a3)
    problem_ok(c, "audit without nhsNumber", c.api.get("/v1/audit", c.t["auditor"]), 400)


def feed(c):
    adm = c.t["admin"]
    area = c.area()
    c.must_post(c.nhs.next(), [reg("2015-01-01T10:00:00Z", "1940-01-01", area)] +
                [ev("2015-02-01T10:00:00Z", "aeAttended", attendanceId=f"A{i}") for i in range(8)])
    f = c.api.get("/v1/events?after=0&limit=5", adm)
    c.r.eq("feed 200", f.status, 200)
    evs = (f.json or {}).get("events") or []
    c.r.eq("feed page of 5", len(evs), 5)
    c.r.check("positions from 1 in order", [e.get("position") for e in evs] == [1, 2, 3, 4, 5], evs)
    c.r.eq("lastPosition is the page's last", (f.json or {}).get("lastPosition"), 5)
    page = c.api.get("/v1/events?after=0&limit=1000", adm).json["events"]
    c.r.check("every feed event has the fields API.md names",
              all({"position", "nhsNumber", "version", "eventId", "occurredAt", "recordedAt"} <= set(e) for e in page),
              [e for e in page if "nhsNumber" not in e][:1])
    people = [e for e in page if e.get("nhsNumber")]
    e = people[0] if people else {}
    c.r.check("person event fields in the feed",
              {"position", "nhsNumber", "version", "eventId", "occurredAt", "recordedAt"} <= set(e)
              and any(k in e for k in ("personRegistered", "aeAttended", "hospitalAdmitted")), e)
    f2 = c.api.get("/v1/events?after=5&limit=2", adm)
    c.r.check("after=5 continues at 6", f2.status == 200 and [x["position"] for x in f2.json["events"]] == [6, 7], f2)
    end = c.api.get("/v1/events?after=999999999&limit=5", adm)
    c.r.check("past the end: empty page", end.status == 200 and end.json["events"] == [], end)
    problem_ok(c, "feed after=abc", c.api.get("/v1/events?after=abc", adm), 400)


SCENARIOS = [("people_read", people_read), ("worklists", worklists), ("access", access), ("audit", audit),
             ("feed", feed)]
