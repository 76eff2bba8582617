// The commissioners' dashboard: aggregates only (metrics, payments, conditions) of one area and year,
// as they stand now or as reported on a chosen date. Charts are drawn here as SVG.
"use strict";
(() => {
  const { el, call, showError } = carelog;
  const METRICS = {
    nonElectiveAdmissions: ["Non-elective admissions", "count"],
    delayedDays: ["Delayed transfer of care (days per 100,000 aged 18+ per month)", "rate"],
    permanentAdmissions65: ["Permanent admissions to care homes, 65+ (per 100,000)", "rate"],
    permanentAdmissions18to64: ["Permanent admissions to care homes, 18-64 (per 100,000)", "rate"],
    reablement91: ["Still at home 91 days after reablement, 65+ (%)", "percent"],
    aeAttendances: ["A&E attendances", "count"],
    patientExperience: ["Positive patient experience (%)", "percent"],
    nhsNumberVerified: ["NHS number verified (%)", "percent"],
    accountableProfessionalCoverage: ["Integrated packages with an accountable professional (%)", "percent"],
    jointAssessmentCoverage: ["Integrated packages after a joint assessment (%)", "percent"],
    weekendDischargeRatio: ["Weekend discharge ratio (1.0 = parity)", "ratio"],
    urgentResponse24h: ["Urgent referrals answered within 24 hours (%)", "percent"],
  };
  const $ = (id) => document.getElementById(id);
  let generation = 0;

  function fmt(value, kind) {
    if (value === null || value === undefined) return "—";
    if (kind === "count") return Math.round(value).toLocaleString("en-GB");
    if (kind === "ratio") return Number(value).toFixed(2);
    if (kind === "percent") return Number(value).toFixed(1) + "%";
    return Number(value).toLocaleString("en-GB", { maximumFractionDigits: 1 });
  }
  const gbp = (v) => v === null || v === undefined ? "—" :
    "£" + Number(v).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function status(m) {
    if (m.value === null || m.value === undefined) return m.suppressed ? ["withheld", ""] : ["no data", ""];
    if (m.target === null || m.target === undefined) return ["no plan target", ""];
    const lower = m.direction === "LOWER";
    const better = (a, b) => lower ? a <= b : a >= b;
    if (better(m.value, m.target)) return ["on track", "on-track"];
    if (m.baseline !== null && m.baseline !== undefined && better(m.value, m.baseline)) return ["improving", "improving"];
    return ["off track", "off-track"];
  }

  function months(year) {
    const start = Number(year.slice(0, 4));
    return { from: `${start}-04`, to: `${start + 1}-03` };
  }
  function asOfParam() {
    const end = londonTime.endOfDay($("asof").value);  // the end of the chosen London day
    return end ? "&asOf=" + encodeURIComponent(end) : "";
  }

  function chart(points, kind) {
    const W = 300, H = 110, L = 34, B = 16, T = 6;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("class", "chart");
    const values = points.flatMap((p) => [p.value, p.target]).filter((v) => v !== null && v !== undefined);
    if (!values.length) {
      svg.innerHTML = `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no monthly figures to show</text>` +
        `<path class="target" d=""/><path class="actual" d=""/>`;
      return svg;
    }
    let lo = Math.min(...values), hi = Math.max(...values);
    if (hi === lo) { hi += 1; lo = Math.max(0, lo - 1); }
    const pad = (hi - lo) * 0.1; lo -= pad; hi += pad;
    const x = (i) => L + (W - L - 4) * (points.length === 1 ? 0.5 : i / (points.length - 1));
    const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
    const path = (key) => {
      let d = "", pen = "M";
      points.forEach((p, i) => {
        if (p[key] === null || p[key] === undefined) { pen = "M"; return; }
        d += `${pen}${x(i).toFixed(1)},${y(p[key]).toFixed(1)} `; pen = "L";
      });
      return d.trim();
    };
    const labels = points.map((p, i) =>
      `<text x="${x(i).toFixed(1)}" y="${H - 3}" text-anchor="middle">${"JFMAMJJASOND"[Number(p.period.slice(5, 7)) - 1] || ""}</text>`).join("");
    svg.innerHTML =
      `<line class="axis" x1="${L}" y1="${H - B}" x2="${W - 4}" y2="${H - B}"/>` +
      `<text x="${L - 3}" y="${y(hi - pad) + 3}" text-anchor="end">${fmt(hi - pad, kind)}</text>` +
      `<text x="${L - 3}" y="${y(lo + pad) + 3}" text-anchor="end">${fmt(lo + pad, kind)}</text>` +
      `<path class="target" d="${path("target")}"/><path class="actual" d="${path("value")}"/>` + labels;
    return svg;
  }

  async function tiles(area, year, metricsPromise, g) {
    const data = await metricsPromise;
    if (g !== generation) return;
    const box = $("tiles");
    box.replaceChildren();
    const { from, to } = months(year);
    for (const m of data.metrics) {
      const [title, kind] = METRICS[m.metric] || [m.metric, "rate"];
      const [label, cls] = status(m);
      const tile = el("div", { class: "tile " + cls, "data-metric": m.metric },
        el("h3", {}, title),
        el("div", { class: "value" }, fmt(m.value, kind)),
        el("div", { class: "meta" },
          `plan target ${fmt(m.target, kind)} · baseline ${fmt(m.baseline, kind)} · `,
          el("span", { class: "status" }, label)),
        m.numerator !== null && m.numerator !== undefined && m.denominator
          ? el("div", { class: "meta" }, `${fmt(m.numerator, "count")} of ${fmt(m.denominator, "count")}`) : null);
      box.append(tile);
      call("GET", `/v1/areas/${area}/metrics/${m.metric}?from=${from}&to=${to}&granularity=month${asOfParam()}`)
        .then((series) => { if (g === generation) tile.append(chart(series.points || [], kind)); })
        .catch((e) => { if (g === generation) tile.append(el("div", { class: "small" }, "chart: " + e.message)); });
    }
  }

  async function payments(area, year, g) {
    const box = $("payments");
    try {
      const p = await call("GET", `/v1/areas/${area}/payments/${year}${asOfParam().replace("&", "?")}`);
      if (g !== generation) return;
      const rows = (p.tranches || []).map((t) => el("tr", {},
        el("td", {}, t.id), el("td", {}, t.period), el("td", { class: "num" }, gbp(t.potGbp)),
        el("td", { class: "num" }, t.achievement === null || t.achievement === undefined ? "—" : (100 * t.achievement).toFixed(1) + "%"),
        el("td", { class: "num" }, gbp(t.earnedGbp)), el("td", { class: "num" }, gbp(t.withheldGbp)),
        el("td", {}, t.recoveryPlanRequired ? el("span", { class: "yes" }, "required") : "no"),
        el("td", { class: "small" }, (t.metrics || []).map((m) =>
          `${m.metric}: actual ${fmt(m.actual, "rate")}, target ${fmt(m.target, "rate")}`).join("; "))));
      box.replaceChildren(el("table", { id: "tranches" },
        el("tr", {}, ["Tranche", "Period", "Pot", "Achievement", "Earned", "Withheld", "Recovery plan", "Metrics"]
          .map((h) => el("th", {}, h))),
        rows,
        el("tr", {}, el("th", { colspan: 4 }, "Total"), el("th", { class: "num" }, gbp(p.totalEarnedGbp)),
          el("th", { class: "num" }, gbp(p.totalWithheldGbp)), el("th", { colspan: 2 }))));
    } catch (e) {
      if (g === generation) box.replaceChildren(el("p", { class: "small" }, "No payments: " + e.message));
    }
  }

  // The six national conditions (SPEC.md "National conditions scorecard"): the plan's own statements
  // for the decisions, the evidence of the log for the others, each judged against the plan's target.
  const CONDITIONS = [
    ["plansJointlyAgreed", "1. Plans jointly agreed", "statement"],
    ["socialCareProtected", "2. Social care protected", "statement"],
    ["sevenDayServices", "3. 7-day services to support discharge", "evidence"],
    ["nhsNumber", "4. Data sharing based on the NHS number", "evidence"],
    ["jointAssessment", "5. Joint assessment and an accountable professional", "evidence"],
    ["acuteImpactAgreed", "6. Impact on acute hospitals agreed", "statement"],
  ];
  const present = (v) => v !== null && v !== undefined;

  // One row of evidence: [label, shown value, "n of d", plan target, verdict] where the verdict is
  // "met", "not met", "withheld", "no data", "no target" or "" (shown for information only).
  function evidenceRow(label, entry, kind, target) {
    const e = entry || {};
    const counts = present(e.numerator) && present(e.denominator)
      ? `${fmt(e.numerator, "count")} of ${fmt(e.denominator, "count")}` : "";
    let verdict = "";
    if (target === undefined) verdict = "";
    else if (!present(e.value)) verdict = e.suppressed ? "withheld" : "no data";
    else if (!target || !present(target.target)) verdict = "no target";
    else {
      const lower = target.direction === "LOWER";
      verdict = (lower ? e.value <= target.target : e.value >= target.target) ? "met" : "not met";
    }
    const shown = present(e.value) ? fmt(e.value, kind) : (e.suppressed ? "withheld" : "—");
    return [label, shown, counts, target && present(target.target) ? fmt(target.target, kind) : "", verdict];
  }

  // The overall status of a condition from its rows' verdicts.
  function overall(verdicts) {
    const judged = verdicts.filter((v) => v);
    if (judged.includes("not met")) return "not met";
    if (judged.length && judged.every((v) => v === "met")) return "met";
    for (const v of ["withheld", "no data", "no target"]) if (judged.includes(v)) return v;
    return "no data";
  }

  function conditionTable(id, title, status, rows, note) {
    const cls = status.replace(/ /g, "-");
    return el("table", { class: "condition " + cls, "data-condition": id },
      el("caption", {}, el("span", { class: "title" }, title), " ",
        el("span", { class: "badge " + cls, "data-status": status }, status)),
      rows.length ? el("tr", {}, ["Evidence", "Value", "Counts", "Plan target", "Against target"]
        .map((h) => el("th", {}, h))) : null,
      rows.map(([label, value, counts, target, verdict]) => el("tr", {},
        el("td", {}, label), el("td", { class: "num" }, value), el("td", { class: "num" }, counts),
        el("td", { class: "num" }, target), el("td", { class: "verdict" }, verdict))),
      note ? el("tr", {}, el("td", { colspan: 5, class: "small" }, note)) : null);
  }

  async function conditions(area, year, metricsPromise, g) {
    const box = $("conditions");
    const asOf = asOfParam();
    try {
      const [c, m] = await Promise.all([call("GET", `/v1/areas/${area}/conditions?period=${year}${asOf}`),
        metricsPromise.catch(() => ({ metrics: [] }))]);
      if (g !== generation) return;
      const cond = c.conditions || {};
      const targets = Object.fromEntries((m.metrics || []).map((x) => [x.metric, x]));
      const seven = cond.sevenDayServices || {};
      const unassigned = cond.packagesWithoutAccountableProfessional || {};
      const evidence = {
        sevenDayServices: [
          evidenceRow("Weekend discharge ratio (1.0 = parity)", seven.weekendDischargeRatio, "ratio",
            targets.weekendDischargeRatio || null),
          evidenceRow("Joint assessments started at weekends (%)", seven.weekendAssessmentShare, "percent"),
        ],
        nhsNumber: [
          evidenceRow("People seen whose NHS number is verified (%)", cond.nhsNumberVerified, "percent",
            targets.nhsNumberVerified || null),
        ],
        jointAssessment: [
          evidenceRow("Integrated packages after a completed joint assessment (%)",
            cond.jointAssessmentCoverage, "percent", targets.jointAssessmentCoverage || null),
          evidenceRow("Open integrated packages with an accountable professional (%)",
            cond.accountableProfessionalCoverage, "percent", targets.accountableProfessionalCoverage || null),
          ["Open integrated packages without one", unassigned.suppressed ? "withheld" : fmt(unassigned.count, "count"),
            present(unassigned.averageDays) ? `${fmt(unassigned.averageDays, "rate")} days on average` : "", "", ""],
        ],
      };
      const tables = CONDITIONS.map(([id, title, kind]) => {
        if (kind === "statement") {
          const said = cond[id];
          const status = said === true ? "met" : said === false ? "not met" : "not stated";
          return conditionTable(id, title, status, [],
            said === undefined || said === null ? "The plan for the year does not state it."
              : `${said ? "Agreed" : "Not agreed"}, as the plan for the year states.`);
        }
        const rows = evidence[id];
        return conditionTable(id, title, overall(rows.map((r) => r[4])), rows,
          "Derived from the log; judged against the plan's target for the year.");
      });
      // data-as-of says which date the tables were drawn for ("" = now).
      box.replaceChildren(el("div", { id: "scorecard", class: "scorecard", "data-as-of": asOf }, tables));
    } catch (e) {
      if (g === generation) box.replaceChildren(el("p", { class: "small" }, "No scorecard: " + e.message));
    }
  }

  async function redraw() {
    const g = ++generation;
    const area = $("area").value, year = $("year").value;
    if (!area) return;
    showError("");
    $("stamp").textContent = $("asof").value ? `figures as reported on ${$("asof").value}` : "latest figures";
    try {
      const metrics = call("GET", `/v1/areas/${area}/metrics?period=${year}${asOfParam()}`);
      // The scorecard as reported on the date too: its evidence and the plan as they stood then.
      $("conditions-stamp").textContent = $("asof").value ? `as reported on ${$("asof").value}` : "";
      await Promise.all([tiles(area, year, metrics, g), payments(area, year, g),
        conditions(area, year, metrics, g)]);
    } catch (e) {
      if (g === generation) showError(e.message);
    }
  }

  async function downloadCsv(e) {
    e.preventDefault();
    const area = $("area").value, { from, to } = months($("year").value);
    try {
      // The figures on the screen: as reported on the chosen date when there is one.
      const text = await call("GET", `/v1/areas/${area}/metrics.csv?from=${from}&to=${to}&granularity=month${asOfParam()}`);
      const asOf = $("asof").value ? `-as-of-${$("asof").value}` : "";
      const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })),
        download: `carelog-${area}-${$("year").value}${asOf}.csv` });
      document.body.append(link); link.click(); link.remove();
    } catch (err) { showError("CSV: " + err.message); }
  }

  async function start() {
    try {
      const areas = await call("GET", "/v1/areas");
      const list = Array.isArray(areas) ? areas : (areas.areas || []);
      $("area").replaceChildren(...list.map((a) => el("option", { value: a.areaCode }, `${a.name || a.areaCode} (${a.areaCode})`)));
    } catch (e) {
      showError("Areas: " + e.message);
      return;
    }
    const f = carelog.fragment;
    if (f.get("area")) $("area").value = f.get("area");
    if (f.get("year")) $("year").value = f.get("year");
    if (f.get("asOf")) $("asof").value = f.get("asOf");
    for (const id of ["area", "year", "asof"]) $(id).addEventListener("change", redraw);
    $("now").addEventListener("click", () => { $("asof").value = ""; redraw(); });
    $("csv").addEventListener("click", downloadCsv);
    await redraw();
    document.body.dataset.ready = "1";
  }
  carelog.requireToken(start);
})();
