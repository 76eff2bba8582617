"""Helpers of the acceptance checks (ops/acceptance/check.py): an HTTP client, NHS numbers, event
builders and the PASS/FAIL bookkeeping. Standard library only."""

import datetime as dt
import http.client
import json
import random
import re
import sys
import traceback
import urllib.parse
import uuid

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Results:
    """Counts PASS/FAIL lines; a scenario that raises counts as one FAIL."""

    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = []
        self.verbose = verbose
        self.scenario = ""

    def check(self, name, cond, detail=""):
        full = f"{self.scenario}: {name}" if self.scenario else name
        if cond:
            self.passed += 1
            print(f"PASS {full}", flush=True)
        else:
            self.failed.append(full)
            text = f"FAIL {full}"
            if detail:
                text += f"  -- {str(detail)[:600]}"
            print(text, flush=True)
        return bool(cond)

    def eq(self, name, got, want):
        return self.check(name, got == want, f"got {got!r}, want {want!r}")

    def close(self, name, got, want, tol=1e-6):
        ok = isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) <= tol
        return self.check(name, ok, f"got {got!r}, want {want!r}")

    def run(self, name, fn, *args):
        self.scenario = name
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 - a scenario's crash is one failed check
            self.failed.append(f"{name}: raised {e!r}")
            print(f"FAIL {name}: raised {e!r}", flush=True)
            if self.verbose:
                traceback.print_exc()
        self.scenario = ""


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = body
        self.text = body.decode("utf-8", "replace")
        self._json = None

    @property
    def ctype(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.text) if self.text else None
        return self._json

    def __repr__(self):
        return f"<{self.status} {self.text[:300]}>"


class Api:
    def __init__(self, base_url):
        u = urllib.parse.urlparse(base_url)
        self.host, self.port = u.hostname, u.port or 80
        self.base = base_url.rstrip("/")

    def req(self, method, path, body=None, token=None, headers=None, timeout=30):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if isinstance(data, str):
                data = data.encode()
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Resp(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, token=None, **kw):
        return self.req("GET", path, token=token, **kw)


def nhs_check_digit(nine):
    s = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    c = 11 - s % 11
    if c == 11:
        return 0
    return None if c == 10 else c


class NhsNumbers:
    """Valid test NHS numbers (999 000 0000 - 999 999 9999), unique within a run."""

    def __init__(self, seed=None):
        self.n = random.Random(seed).randrange(0, 900000) * 1000

    def next(self):
        while True:
            self.n += 1
            nine = f"999{self.n % 1000000:06d}"
            c = nhs_check_digit(nine)
            if c is not None:
                return nine + str(c)


def invalid_nhs(valid):
    return valid[:9] + str((int(valid[9]) + 1) % 10)


def spaced(nhs):
    return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def ev(occurred, payload, **fields):
    return {"eventId": str(uuid.uuid4()), "occurredAt": occurred, payload: fields}


def reg(occurred, birth, area, status="VERIFIED"):
    return ev(occurred, "personRegistered", birthDate=birth, areaCode=area, gpPractice="F82001",
              nhsNumberStatus=status)


def spell(sid, admitted, discharged=None, method="EMERGENCY", destination="USUAL_RESIDENCE",
          ready=None):
    out = [ev(admitted, "hospitalAdmitted", spellId=sid, provider="RF4", site="Queen's",
              method=method)]
    if ready:
        out.append(ev(ready, "readyForDischarge", spellId=sid))
    if discharged:
        out.append(ev(discharged, "discharged", spellId=sid, destination=destination))
    return out


def iso(t):
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def money_text_ok(text, key):
    """Every `"key": number` in the raw JSON text has at most two decimals."""
    found = re.findall(r'"%s"\s*:\s*(-?[0-9.eE+-]+|null)' % re.escape(key), text)
    return bool(found) and all(re.fullmatch(r"-?\d+(\.\d{1,2})?", v) for v in found), found


def log(*a):
    print(*a, file=sys.stderr, flush=True)
