#!/usr/bin/env python3
"""Browser tests of the two pages against the real server on loopback: runs a small `carelog demo`,
drives headless Chromium over the DevTools protocol and checks that the dashboard draws its tiles and
charts, that the as-of picker changes a figure, that no page works without a token, and that the
worklist lists the delayed people and that recording a discharge removes the row.

usage: pages_test.py CARELOG_BINARY [--screenshots DIR]   (exit 77: skipped, no chromium)"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

SKIP = 77


class Demo:
    """`carelog demo` at a small scale on a free port, with the lines it prints."""

    def __init__(self, binary, scale):
        self.data = tempfile.mkdtemp(prefix="carelog-pages-")
        self.process = subprocess.Popen(
            [binary, "demo", "--data", self.data, "--listen", "127.0.0.1:0", "--scale", str(scale)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.lines = {}
        try:
            for line in self.process.stdout:
                key, _, value = line.strip().partition(": ")
                self.lines[key] = value
                if line.startswith("listening on "):
                    self.url = line.split()[-1]
                    break
            else:
                raise AssertionError(f"carelog demo exited ({self.process.wait()}) before listening")
            self.commissioner = self.lines["commissioner token"]
            self.coordinator = self.lines["discharge coordinator token"]
            self.wait_ready()
        except BaseException:
            self.close()  # neither the demo nor its data outlives a failed start
            raise

    def wait_ready(self, seconds=900):
        """Waits for /readyz: the projections have caught up with the demo's history (minutes at full
        scale), so the worklist no longer moves under the page while it is compared with the API."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=10) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("carelog demo did not become ready")
            time.sleep(0.2)

    def get(self, path, token):
        request = urllib.request.Request(self.url + path, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def close(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def tile_value(browser, metric):
    return browser.evaluate(
        f"(document.querySelector('.tile[data-metric={metric}] .value') || {{}}).textContent")


def check_dashboard(browser, demo, shots):
    browser.navigate(demo.url + "/")
    browser.wait_for("!document.getElementById('gate').hidden", what="the token form without a token")
    assert browser.evaluate("document.getElementById('app').hidden"), "the dashboard showed without a token"
    assert browser.evaluate("document.querySelectorAll('.tile').length") == 0

    browser.navigate(demo.url + "/#token=" + demo.commissioner + "&year=2015-16")
    browser.wait_for("document.body.dataset.ready === '1'", what="the dashboard to draw")
    tiles = browser.evaluate("document.querySelectorAll('.tile').length")
    assert tiles == 12, f"{tiles} tiles instead of one per metric"
    browser.wait_for("document.querySelectorAll('svg.chart path.actual').length == 12", what="12 charts")
    drawn = browser.evaluate("[...document.querySelectorAll('svg.chart path.actual')]"
                             ".filter(p => (p.getAttribute('d') || '').split('L').length > 6).length")
    assert drawn >= 4, f"only {drawn} charts have a monthly line"
    assert browser.evaluate("document.querySelectorAll('#tranches tr').length") >= 4, "no payment tranches"
    assert "@" not in browser.evaluate("document.body.innerText")
    assert not re.search(r"\b999 ?\d{3} ?\d{4}\b", browser.evaluate("document.body.innerText")), \
        "an NHS number on the commissioners' page"
    # The token stays for the session: no token in the address any more.
    assert "token=" not in browser.evaluate("location.href")
    before = tile_value(browser, "nonElectiveAdmissions")
    if shots:
        browser.screenshot(os.path.join(shots, "dashboard.png"))

    # As reported on 1 October 2015, half of 2015-16 had not happened yet.
    browser.evaluate("(() => { const i = document.getElementById('asof'); i.value = '2015-10-01';"
                     " i.dispatchEvent(new Event('change')); })()")
    browser.wait_for(f"(document.querySelector('.tile[data-metric=nonElectiveAdmissions] .value') || {{}})"
                     f".textContent !== {json.dumps(before)}", what="the as-of figure")
    after = tile_value(browser, "nonElectiveAdmissions")
    as_count = lambda text: int(text.replace(",", ""))
    assert as_count(after) < as_count(before), f"as of 2015-10-01 {after} is not below {before}"
    assert "2015-10-01" in browser.evaluate("document.getElementById('stamp').textContent")
    # The figures asked for are those recorded by the end of 1 October in London (BST).
    asked = browser.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                             ".filter(u => u.includes('asOf='))")
    assert asked, "no request carried asOf"
    for url in asked:
        as_of = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["asOf"][0]
        assert as_of == "2015-10-01T23:59:59.999999+01:00", f"asOf {as_of} is not the end of the London day"
    # The CSV holds the figures on the screen: as reported on that date too.
    browser.evaluate("document.getElementById('csv').click()")
    browser.wait_for("performance.getEntriesByType('resource').some(e => e.name.includes('metrics.csv'))",
                     what="the CSV request")
    csv = browser.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                           ".filter(u => u.includes('metrics.csv'))")
    assert all("asOf=2015-10-01T23%3A59%3A59.999999%2B01%3A00" in u for u in csv), f"CSV not as of the date: {csv}"
    browser.wait_for("performance.getEntriesByType('resource').some(e => e.name.includes('/conditions?')"
                     " && e.name.includes('asOf=2015-10-01T23%3A59%3A59.999999%2B01%3A00'))",
                     what="the scorecard asked as of the date")
    assert "2015-10-01" in browser.evaluate("document.getElementById('conditions-stamp').textContent"), \
        "the scorecard does not say which date it is reported on"
    check_london_end_of_day(browser)
    check_scorecard(browser, demo)


def check_london_end_of_day(browser):
    """The page's end of a London day, for every day of 2014-2016 (both clock changes of each year),
    is the instant just before the next London midnight by the system's time zone database."""
    london = zoneinfo.ZoneInfo("Europe/London")
    days = [datetime.date(2014, 1, 1) + datetime.timedelta(days=i) for i in range(3 * 365 + 1)]
    texts = browser.evaluate(f"{json.dumps([d.isoformat() for d in days])}.map(londonTime.endOfDay)")
    for day, text in zip(days, texts):
        midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), london)
        want = midnight.astimezone(datetime.timezone.utc) - datetime.timedelta(microseconds=1)
        got = datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)
        assert got == want, f"end of {day}: {text}, not {want.isoformat()}"
    assert browser.evaluate("londonTime.endOfDay('')") is None


def check_scorecard(browser, demo):
    """One table per national condition, its status judged as the conditions and metrics say."""
    area, year = "E09000099", "2015-16"
    browser.evaluate(f"(() => {{ const i = document.getElementById('asof'); i.value = '';"
                     f" i.dispatchEvent(new Event('change')); }})()")
    browser.wait_for("document.querySelectorAll('#scorecard table.condition').length === 6"
                     " && document.getElementById('scorecard').dataset.asOf === ''",
                     what="six condition tables")
    conditions = demo.get(f"/v1/areas/{area}/conditions?period={year}", demo.commissioner)["conditions"]
    metrics = {m["metric"]: m for m in demo.get(f"/v1/areas/{area}/metrics?period={year}",
                                                   demo.commissioner)["metrics"]}
    shown = browser.evaluate("Object.fromEntries([...document.querySelectorAll('#scorecard table.condition')]"
                             ".map(t => [t.dataset.condition, t.querySelector('.badge').dataset.status]))")
    for key in ("plansJointlyAgreed", "socialCareProtected", "acuteImpactAgreed"):
        said = conditions.get(key)
        want = "met" if said is True else "not met" if said is False else "not stated"
        assert shown[key] == want, f"{key}: {shown[key]}, the plan says {said}"

    def verdict(entry, metric):
        target = metrics[metric]
        if entry.get("value") is None:
            return "withheld" if entry.get("suppressed") else "no data"
        if target.get("target") is None:
            return "no target"
        lower = target["direction"] == "LOWER"
        return "met" if (entry["value"] <= target["target"] if lower else entry["value"] >= target["target"]) \
            else "not met"

    def combined(verdicts):
        if "not met" in verdicts:
            return "not met"
        if all(v == "met" for v in verdicts):
            return "met"
        return next(v for v in ("withheld", "no data", "no target") if v in verdicts)

    want = {
        "nhsNumber": verdict(conditions["nhsNumberVerified"], "nhsNumberVerified"),
        "sevenDayServices": verdict(conditions["sevenDayServices"]["weekendDischargeRatio"],
                                    "weekendDischargeRatio"),
        "jointAssessment": combined([
            verdict(conditions["jointAssessmentCoverage"], "jointAssessmentCoverage"),
            verdict(conditions["accountableProfessionalCoverage"], "accountableProfessionalCoverage")]),
    }
    for key, status in want.items():
        assert shown[key] == status, f"{key}: shown {shown[key]}, want {status}"
    evidence = browser.evaluate("[...document.querySelectorAll('#scorecard table[data-condition=nhsNumber] td')]"
                                ".map(c => c.textContent)")
    assert any(text.endswith("%") for text in evidence), f"no percentage in the NHS number evidence {evidence}"
    text = browser.evaluate("document.getElementById('scorecard').innerText")
    assert "{" not in text and ": " not in text, "a raw key/value dump in the scorecard"
    assert not re.search(r"\b999 ?\d{3} ?\d{4}\b", text)


def check_worklist(browser, demo, shots):
    area = "E09000099"
    browser.navigate(demo.url + f"/worklist?area={area}#token=" + demo.coordinator)
    browser.wait_for("document.body.dataset.ready === '1'", what="the worklist to load")
    api = demo.get(f"/v1/worklists/discharge?area={area}", demo.coordinator)["items"]
    assert api, "the demo has nobody on the discharge worklist"
    rows = browser.evaluate("[...document.querySelectorAll('#discharge tbody tr')].map(r => r.dataset.nhs)")
    assert rows == [i["nhsNumber"] for i in api], \
        f"the page does not list the worklist, longest first: {rows} != {[i['nhsNumber'] for i in api]}"
    days = browser.evaluate("[...document.querySelectorAll('#discharge td.days')].map(c => Number(c.textContent))")
    assert days == sorted(days, reverse=True)
    # Sorting by a column header, then back.
    browser.evaluate("document.querySelector('th[data-key=daysDelayed]').click()")
    days = browser.evaluate("[...document.querySelectorAll('#discharge td.days')].map(c => Number(c.textContent))")
    assert days == sorted(days), "clicking Days delayed did not sort ascending"
    browser.evaluate("document.querySelector('th[data-key=daysDelayed]').click()")
    if shots:
        browser.screenshot(os.path.join(shots, "worklist.png"))

    # Record a reason for the first row, then discharge it: the row goes.
    first = api[0]
    browser.evaluate(f"""(() => {{
      const row = document.querySelector('#discharge tr[data-nhs="{first['nhsNumber']}"]');
      row.querySelector('select[name=reason]').value = 'D2';
      row.querySelector('select[name=agency]').value = 'SOCIAL_CARE';
      row.querySelector('button.record-delay').click(); }})()""")
    browser.wait_for(f"""(() => {{ const row = document.querySelector('#discharge tr[data-nhs="{first['nhsNumber']}"]');
      return row && row.innerText.includes('D2 nursing home'); }})()""", what="the recorded reason")
    browser.evaluate(f"""(() => {{
      const row = document.querySelector('#discharge tr[data-nhs="{first['nhsNumber']}"]');
      row.querySelector('select[name=destination]').value = 'USUAL_RESIDENCE';
      row.querySelector('button.record-discharge').click(); }})()""")
    browser.wait_for(f"!document.querySelector('#discharge tr[data-nhs=\"{first['nhsNumber']}\"]')",
                     what="the discharged row to go")
    assert browser.evaluate("document.getElementById('error').hidden"), \
        browser.evaluate("document.getElementById('error').textContent")
    left = demo.get(f"/v1/worklists/discharge?area={area}", demo.coordinator)["items"]
    assert first["nhsNumber"] not in [i["nhsNumber"] for i in left]

    # A bad token: the API answers 401 and the page says so.
    browser.evaluate("sessionStorage.setItem('carelog.token', 'not-a-token')")
    browser.navigate(demo.url + f"/worklist?area={area}")
    browser.wait_for("document.getElementById('error').textContent.includes('401')", what="the 401 message")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("carelog")
    parser.add_argument("--screenshots")
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()
    chromium = cdp.find_chromium()
    if not chromium:
        print("SKIP: chromium is not installed (ops/install-deps installs it)")
        return SKIP
    demo = Demo(args.carelog, args.scale)
    browser = None
    try:
        browser = cdp.Browser(chromium)
        check_dashboard(browser, demo, args.screenshots)
        check_worklist(browser, demo, args.screenshots)
    finally:
        if browser:
            browser.close()
        demo.close()
    print("pages: dashboard and worklist behave")
    return 0


if __name__ == "__main__":
    sys.exit(main())
