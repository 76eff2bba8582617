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
    const lower = m.direction === "lower";
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
    const d = $("asof").value;  // the end of the chosen London day
    return d ? "&asOf=" + encodeURIComponent(d + "T23:59:59+00:00") : "";
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

  async function tiles(area, year, g) {
    const data = await call("GET", `/v1/areas/${area}/metrics?period=${year}${asOfParam()}`);
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

  function renderValue(v) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-GB") : v.toFixed(2);
    if (Array.isArray(v)) return v.map(renderValue).join(", ");
    if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}: ${renderValue(x)}`).join("; ");
    return String(v);
  }
  async function conditions(area, year, g) {
    const box = $("conditions");
    try {
      const c = await call("GET", `/v1/areas/${area}/conditions?period=${year}`);
      if (g !== generation) return;
      const skip = new Set(["area", "period", "asOf"]);
      const rows = Object.entries(c).filter(([k]) => !skip.has(k)).flatMap(([k, v]) =>
        Array.isArray(v) ? v.map((item) => el("tr", {}, el("td", {}, item.condition || item.name || item.metric || k),
          el("td", {}, renderValue(Object.fromEntries(Object.entries(item).filter(([x]) => !["condition", "name"].includes(x)))))))
          : [el("tr", {}, el("td", {}, k), el("td", {}, renderValue(v)))]);
      box.replaceChildren(el("table", { id: "scorecard" }, el("tr", {}, el("th", {}, "Condition"), el("th", {}, "Evidence")), rows));
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
      await Promise.all([tiles(area, year, g), payments(area, year, g), conditions(area, year, g)]);
    } catch (e) {
      if (g === generation) showError(e.message);
    }
  }

  async function downloadCsv(e) {
    e.preventDefault();
    const area = $("area").value, { from, to } = months($("year").value);
    try {
      const text = await call("GET", `/v1/areas/${area}/metrics.csv?from=${from}&to=${to}&granularity=month`);
      const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })),
        download: `carelog-${area}-${$("year").value}.csv` });
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
