#!/usr/bin/env python3
"""Acceptance checks of Carelog's public contract, written from /work/shared API.md and SPEC.md
alone: every sentence of the contract that can be checked from outside is a check here.

  check.py --binary build/carelog [--skip-demo]
      starts its own servers on temp data directories (CLI checks, `carelog demo` included)
  check.py --base-url http://HOST:PORT --tokens-json FILE
      against a fresh server you started; FILE is {"admin", "practitioner", "dischargeCoordinator",
      "commissioner", "commissionerOther", "practitionerOther", "auditor": TOKEN...,
      "areas": [CODE...] (30 codes the first five cover), "otherArea": CODE (the *Other tokens')}

Prints PASS/FAIL per check and a summary line; exits 1 when any check fails.
Standard library only (python3)."""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import lib  # noqa: E402
import scenarios_api  # noqa: E402
import scenarios_metrics  # noqa: E402
import scenarios_more  # noqa: E402
import scenarios_reads  # noqa: E402


class Ctx:
    """What the scenarios share: the client, tokens by role and a supply of fresh area codes."""

    def __init__(self, api, tokens, areas, other_area, results):
        self.api, self.t, self.r = api, tokens, results
        self._areas = list(areas)
        self.other_area = other_area
        self.nhs = lib.NhsNumbers()
        self.last = 0  # the lastPosition of the latest write: reads pass it as minPosition

    def seen(self, r):
        if r.status in (200, 201) and isinstance(r.json, dict):
            self.last = max(self.last, r.json.get("lastPosition") or 0)
        return r

    def read(self, path, token):
        """A read of worklists, metrics or payments that includes every write so far."""
        sep = "&" if "?" in path else "?"
        return self.api.get(f"{path}{sep}minPosition={self.last}", token)

    def area(self, population=None, year=2015, name="Acceptance area"):
        """A fresh area covered by the practitioner, coordinator and commissioner tokens."""
        code = self._areas.pop(0)
        pops = population or [{"year": y, "age0to17": 20000, "age18to64": 60000,
                               "age65plus": 20000} for y in (2014, 2015, 2016)]
        r = self.api.req("PUT", f"/v1/areas/{code}", {"name": name, "population": pops},
                         token=self.t["admin"])
        if r.status not in (200, 201):
            raise RuntimeError(f"PUT area {code}: {r}")
        self.seen(r)
        return code

    def post(self, nhs, events, token=None, headers=None):
        return self.seen(self.api.req("POST", f"/v1/people/{nhs}/events", {"events": events},
                                      token=token or self.t["practitioner"], headers=headers))

    def must_post(self, nhs, events, token=None):
        r = self.post(nhs, events, token)
        if r.status != 201:
            raise RuntimeError(f"POST {nhs}: {r}")
        return r.json

    def version(self, nhs):
        r = self.api.get(f"/v1/people/{nhs}", self.t["practitioner"])
        return r.json["version"] if r.status == 200 else 0


# --- servers -----------------------------------------------------------------------------------

ROLES = [("admin", "admin", None), ("practitioner", "practitioner", "all"),
         ("dischargeCoordinator", "dischargeCoordinator", "all"),
         ("commissioner", "commissioner", "all"), ("auditor", "auditor", None),
         ("commissionerOther", "commissioner", "other"),
         ("practitionerOther", "practitioner", "other")]


def make_tokens(binary, tokens_file, areas, other):
    tokens = {}
    for key, role, scope in ROLES:
        cmd = [binary, "token", "add", "--tokens", tokens_file, "--name", f"acc-{key}", "--role", role]
        for a in (areas if scope == "all" else [other] if scope == "other" else []):
            cmd += ["--area", a]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        tokens[key] = out.strip()
    return tokens


class Server:
    def __init__(self, cmd, env=None):
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
        self.lines = []
        deadline = time.time() + 600
        while time.time() < deadline:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError(f"server exited: {self.p.wait()} {self.p.stderr.read()}")
            self.lines.append(line.rstrip("\n"))
            if line.startswith("listening on http://"):
                self.url = line.split()[-1]
                return
        raise RuntimeError("no listening line")

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


def run_one(args, cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def cli_checks(r, binary, tmp):
    r.scenario = "cli"
    tokens = os.path.join(tmp, "cli-tokens.json")
    p = subprocess.run([binary, "token", "add", "--tokens", tokens, "--name", "x", "--role", "admin"],
                       capture_output=True, text=True)
    r.check("token add exits 0", p.returncode == 0, p.stderr)
    r.check("token add prints the token alone on one line",
            len(p.stdout.splitlines()) == 1 and p.stdout.strip() and " " not in p.stdout.strip(),
            repr(p.stdout))
    r.check("token file stores no plain token", p.stdout.strip() not in pathlib.Path(tokens).read_text())

    def one_line_nonzero(name, cmd):
        q = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        r.check(f"{name}: non-zero exit", q.returncode != 0, q.returncode)
        r.check(f"{name}: one line on stderr", len(q.stderr.strip().splitlines()) == 1, repr(q.stderr))

    one_line_nonzero("bad flag", [binary, "serve", "--bogus"])
    one_line_nonzero("unknown command", [binary, "frobnicate"])
    one_line_nonzero("token add bad role",
                     [binary, "token", "add", "--tokens", tokens, "--name", "y", "--role", "king"])
    one_line_nonzero("token add without name", [binary, "token", "add", "--tokens", tokens, "--role", "admin"])
    afile = os.path.join(tmp, "a-file")
    pathlib.Path(afile).write_text("x")
    one_line_nonzero("data dir is a file",
                     [binary, "serve", "--data", afile, "--listen", "127.0.0.1:0", "--tokens", tokens])
    one_line_nonzero("bad listen address",
                     [binary, "serve", "--data", os.path.join(tmp, "d0"), "--listen", "nonsense",
                      "--tokens", tokens])
    s = Server([binary, "serve", "--data", os.path.join(tmp, "d1"), "--listen", "127.0.0.1:0",
                "--tokens", tokens])
    r.check("listening line is flushed and well formed",
            s.url.startswith("http://127.0.0.1:") and int(s.url.rsplit(":", 1)[1]) > 0, s.url)
    one_line_nonzero("port in use",
                     [binary, "serve", "--data", os.path.join(tmp, "d2"), "--listen",
                      s.url.replace("http://", ""), "--tokens", tokens])
    one_line_nonzero("demo on a port in use",
                     [binary, "demo", "--data", os.path.join(tmp, "d3"), "--listen", s.url.replace("http://", "")])
    one_line_nonzero("demo on a data dir that is a file", [binary, "demo", "--data", afile, "--listen", "127.0.0.1:0"])
    one_line_nonzero("serve --listen without a value", [binary, "serve", "--data", os.path.join(tmp, "d4"), "--listen"])
    api = lib.Api(s.url)
    r.eq("healthz 200", api.get("/healthz").status, 200)
    admin = p.stdout.strip()
    api.req("PUT", "/v1/areas/E09000002", {"name": "x", "population": []}, admin)
    answers = []
    slow = threading.Thread(target=lambda: answers.append(
        api.get("/v1/areas/E09000002/metrics?period=2015-16&minPosition=1000000000", admin)))
    slow.start()
    time.sleep(0.5)
    r.eq("SIGTERM exits 0", s.stop(signal.SIGTERM), 0)
    slow.join()
    r.check("SIGTERM lets a request in flight finish", answers and answers[0].status in (200, 503), answers)
    s = Server([binary, "serve", "--data", os.path.join(tmp, "d1"), "--listen", "127.0.0.1:0",
                "--tokens", tokens])
    again = lib.Api(s.url).get("/v1/areas/E09000002", admin)
    r.check("after SIGTERM and a restart, what was written is there",
            again.status == 200 and again.json.get("name") == "x", again)
    r.eq("SIGINT exits 0", s.stop(signal.SIGINT), 0)
    fresh = os.path.join(tmp, "fresh", "data")
    p = subprocess.run([binary, "token", "add", "--tokens", os.path.join(fresh, "tokens.json"), "--name", "x",
                        "--role", "admin"], capture_output=True, text=True)
    r.check("token add into DATA/tokens.json before DATA exists", p.returncode == 0, p.stderr)
    s = Server([binary, "serve", "--data", fresh, "--listen", "127.0.0.1:0"])
    r.eq("serve defaults --tokens to DATA/tokens.json", lib.Api(s.url).get("/v1/areas", p.stdout.strip()).status, 200)
    r.eq("SIGTERM exits 0 (2)", s.stop(), 0)
    r.scenario = ""


def demo_checks(r, binary, tmp):
    r.scenario = "demo"
    t0 = time.time()
    s = Server([binary, "demo", "--data", os.path.join(tmp, "demo"), "--listen", "127.0.0.1:0"])
    lib.log(f"demo loaded in {time.time() - t0:.0f} s")
    text = "\n".join(s.lines)
    toks = {}
    for line in s.lines:
        low = line.lower()
        for role in ("admin", "commissioner", "discharge"):
            if role in low:
                words = [w for w in line.replace(":", " ").split() if len(w) >= 32 and w.isalnum()]
                if words:
                    toks[role] = words[-1]
    r.check("prints admin, commissioner and discharge-coordinator tokens", len(toks) == 3, text)
    r.check("prints the dashboard URL", "http://" in text.replace(s.url, "", 1) or "/ " in text, text)
    api = lib.Api(s.url)
    p = api.get("/")
    r.check("dashboard page served", p.status == 200 and p.ctype == "text/html", p)
    p = api.get("/worklist")
    r.check("worklist page served", p.status == 200 and p.ctype == "text/html", p)
    if len(toks) == 3:
        areas = api.get("/v1/areas", toks["commissioner"])
        r.eq("commissioner lists areas", areas.status, 200)
        codes = [a.get("areaCode") for a in (areas.json or {}).get("areas", [])] if areas.status == 200 else []
        if codes:
            m = api.get(f"/v1/areas/{codes[0]}/metrics?period=2015-16", toks["commissioner"])
            r.eq("demo metrics 200", m.status, 200)
            vals = {e["metric"]: e["value"] for e in m.json["metrics"]} if m.status == 200 else {}
            r.check("demo has 2015-16 admissions, delays and A&E",
                    all(vals.get(k) for k in ("nonElectiveAdmissions", "delayedDays", "aeAttendances")), vals)
            w = api.get(f"/v1/worklists/discharge?area={codes[0]}", toks["discharge"])
            r.check("demo discharge worklist has today's patients",
                    w.status == 200 and len(w.json["items"]) > 0, w)
            for period in ("2014-04", "2016-03"):
                m = api.get(f"/v1/areas/{codes[0]}/metrics?period={period}", toks["commissioner"])
                ne = {e["metric"]: e for e in m.json["metrics"]}["nonElectiveAdmissions"] if m.status == 200 else {}
                r.check(f"demo history covers {period}", ne.get("value"), ne)
            m = api.get(f"/v1/areas/{codes[0]}/metrics?period=2016-05", toks["commissioner"])
            ne = {e["metric"]: e for e in m.json["metrics"]}["nonElectiveAdmissions"] if m.status == 200 else {}
            r.check("demo history ends in 2016-03", m.status == 200 and not ne.get("value"), ne)
            plan = api.get(f"/v1/areas/{codes[0]}/plans/2015-16", toks["commissioner"])
            r.check("demo plan 2015-16 with tranches", plan.status == 200 and plan.json.get("tranches"), plan)
            feed = api.get("/v1/events?after=0&limit=1000", toks["admin"])
            nums = {e.get("nhsNumber") for e in feed.json.get("events", [])} - {None} if feed.status == 200 else {1}
            r.check("demo people have test NHS numbers (999...)",
                    nums and all(str(n).startswith("999") for n in nums), sorted(nums)[:3])
            c = api.get(f"/v1/areas/{codes[0]}/conditions?period=2015-16", toks["commissioner"])
            r.eq("demo conditions scorecard", c.status, 200)
            pay = api.get(f"/v1/areas/{codes[0]}/payments/2015-16", toks["commissioner"])
            r.check("demo payments 2015-16 have tranches",
                    pay.status == 200 and len(pay.json.get("tranches", [])) > 0, pay)
    r.eq("demo SIGTERM exits 0", s.stop(), 0)
    r.scenario = ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary")
    ap.add_argument("--base-url")
    ap.add_argument("--tokens-json")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    r = lib.Results(args.verbose)
    tmp = tempfile.mkdtemp(prefix="carelog-acceptance-")
    server = None
    t0 = time.time()
    try:
        if args.binary:
            binary = os.path.abspath(args.binary)
            if not args.skip_cli:
                cli_checks(r, binary, tmp)
            areas = [f"E09{900100 + i:06d}" for i in range(40)]
            other = "E09900099"
            tokens_file = os.path.join(tmp, "tokens.json")
            tokens = make_tokens(binary, tokens_file, areas + ["E09000002"], other)
            server = Server([binary, "serve", "--data", os.path.join(tmp, "data"),
                             "--listen", "127.0.0.1:0", "--tokens", tokens_file])
            base = server.url
        elif args.base_url and args.tokens_json:
            cfg = json.loads(pathlib.Path(args.tokens_json).read_text())
            tokens = {k: v for k, v in cfg.items() if isinstance(v, str) and k != "otherArea"}
            areas, other, base = cfg["areas"], cfg["otherArea"], args.base_url
        else:
            ap.error("give --binary, or --base-url and --tokens-json")
        ctx = Ctx(lib.Api(base), tokens, areas, other, r)
        scenarios = (scenarios_api.SCENARIOS + scenarios_reads.SCENARIOS + scenarios_metrics.SCENARIOS
                     + scenarios_more.SCENARIOS)
        only = set(args.only.split(",")) if args.only else None
        for name, fn in scenarios:
            if only is None or name in only:
                r.run(name, fn, ctx)
        if server:
            r.scenario = "shutdown"
            r.eq("SIGTERM after the run exits 0", server.stop(), 0)
            server = None
            r.scenario = ""
        if args.binary and not args.skip_demo and (only is None or "demo" in only):
            demo_checks(r, os.path.abspath(args.binary), tmp)
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{r.passed} passed, {len(r.failed)} failed in {time.time() - t0:.0f} s")
    for f in r.failed:
        print(f"  FAILED {f}")
    sys.exit(1 if r.failed else 0)


if __name__ == "__main__":
    main()
