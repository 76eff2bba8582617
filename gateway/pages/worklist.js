// The discharge coordinators' worklist: who is ready to leave hospital but still in a bed, longest
// delay first, with a form per row that records a delay reason or the discharge through the API.
"use strict";
(() => {
  const { el, call, showError, nhs, uuid } = carelog;
  const $ = (id) => document.getElementById(id);
  const REASONS = { A: "A assessment", B: "B public funding", C: "C further NHS care", D1: "D1 residential home",
    D2: "D2 nursing home", E: "E care package at home", F: "F equipment, adaptations", G: "G patient or family choice",
    H: "H disputes", I: "I housing" };
  const DESTINATIONS = ["USUAL_RESIDENCE", "REABLEMENT", "REHABILITATION_BED", "RESIDENTIAL_CARE", "NURSING_CARE",
    "OTHER_HOSPITAL", "DIED", "OTHER"];
  const REFRESH_MS = 30000;
  let items = [], sortKey = "daysDelayed", descending = true, minPosition = 0, timer = null;

  const date = (t) => t ? new Date(t).toLocaleString("en-GB", { timeZone: "Europe/London", dateStyle: "medium", timeStyle: "short" }) : "—";

  function options(values, labels) {
    return values.map((v) => el("option", { value: v }, labels ? labels[v] : v));
  }

  async function record(item, event, button) {
    button.disabled = true;
    try {
      const body = { events: [{ eventId: uuid(), occurredAt: new Date().toISOString(), ...event }] };
      const answer = await call("POST", `/v1/people/${item.nhsNumber}/events`, body);
      minPosition = Math.max(minPosition, Number(answer.lastPosition) || 0);
      await refresh();
    } catch (e) {
      showError(`${nhs(item.nhsNumber)}: ${e.message}` +
        (e.problem && e.problem.errors ? " — " + e.problem.errors.map((x) => x.message).join("; ") : ""));
      button.disabled = false;
    }
  }

  function row(item) {
    const reason = el("select", { name: "reason", "aria-label": "reason" }, options(Object.keys(REASONS), REASONS));
    const agency = el("select", { name: "agency", "aria-label": "agency" }, options(["NHS", "SOCIAL_CARE", "BOTH"]));
    const destination = el("select", { name: "destination", "aria-label": "destination" }, options(DESTINATIONS));
    const delayButton = el("button", { type: "submit", class: "record-delay" }, "Record delay");
    const dischargeButton = el("button", { type: "submit", class: "record-discharge" }, "Discharge");
    const ap = item.accountableProfessional;
    return el("tr", { "data-nhs": item.nhsNumber, "data-spell": item.spellId },
      el("td", {}, nhs(item.nhsNumber), el("div", { class: "small" }, "spell " + item.spellId)),
      el("td", {}, item.site),
      el("td", {}, date(item.readySince)),
      el("td", { class: "num days" }, item.daysDelayed),
      el("td", {}, item.reason === "UNRECORDED" ? el("span", { class: "yes" }, "unrecorded") : (REASONS[item.reason] || item.reason)),
      el("td", {}, item.agency),
      el("td", {}, item.readyOnWeekend ? el("span", { class: "yes" }, "yes") : "no"),
      el("td", {}, ap ? [ap.name, el("div", { class: "small" }, [ap.role, ap.organisation, ap.phone].filter(Boolean).join(" · "))] : "none"),
      el("td", {},
        el("form", { class: "row-action", onsubmit: (e) => { e.preventDefault();
          record(item, { dischargeDelayRecorded: { spellId: item.spellId, reason: reason.value, agency: agency.value } }, delayButton); } },
          reason, agency, delayButton),
        el("form", { class: "row-action", onsubmit: (e) => { e.preventDefault();
          record(item, { discharged: { spellId: item.spellId, destination: destination.value } }, dischargeButton); } },
          destination, dischargeButton)));
  }

  function render() {
    const sorted = [...items].sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === "number" || typeof x === "boolean" ? Number(x) - Number(y) : String(x).localeCompare(String(y));
      return descending ? -c : c;
    });
    $("discharge").tBodies[0].replaceChildren(...sorted.map(row));
    $("count").textContent = items.length;
    for (const th of document.querySelectorAll("th.sortable")) {
      th.dataset.sorted = th.dataset.key === sortKey ? (descending ? "desc" : "asc") : "";
      th.textContent = th.textContent.replace(/ [▲▼]$/, "") + (th.dataset.key === sortKey ? (descending ? " ▼" : " ▲") : "");
    }
  }

  function table(id, headers, rows) {
    return rows.length ? el("table", { id }, el("tr", {}, headers.map((h) => el("th", {}, h))), rows)
      : el("p", { class: "small" }, "None.");
  }

  async function refresh() {
    const area = $("area").value.trim();
    if (!area) return;
    clearTimeout(timer);
    const site = $("site").value;
    const wait = minPosition ? `&minPosition=${minPosition}` : "";
    try {
      const [discharge, followUps, unassigned] = await Promise.all([
        call("GET", `/v1/worklists/discharge?area=${encodeURIComponent(area)}${site ? "&site=" + encodeURIComponent(site) : ""}${wait}`),
        call("GET", `/v1/worklists/follow-ups?area=${encodeURIComponent(area)}${wait}`),
        call("GET", `/v1/worklists/unassigned-packages?area=${encodeURIComponent(area)}${wait}`)]);
      items = discharge.items || [];
      const sites = new Set([...$("site").options].map((o) => o.value));
      for (const i of items) if (i.site && !sites.has(i.site)) { $("site").append(el("option", { value: i.site }, i.site)); sites.add(i.site); }
      render();
      $("followups").replaceChildren(table("follow-ups", ["NHS number", "Spell", "Discharged on", "Due on"],
        (followUps.items || []).map((f) => el("tr", {}, el("td", {}, nhs(f.nhsNumber)), el("td", {}, f.spellId),
          el("td", {}, f.dischargedOn), el("td", {}, f.dueOn)))));
      $("unassigned").replaceChildren(table("unassigned-packages", ["NHS number", "Package", "Started", "Days without"],
        (unassigned.items || []).map((p) => el("tr", {}, el("td", {}, nhs(p.nhsNumber)), el("td", {}, p.packageId),
          el("td", {}, date(p.startedAt)), el("td", { class: "num" }, p.daysWithout)))));
      $("stamp").textContent = "updated " + new Date().toLocaleTimeString("en-GB");
      showError("");
      document.body.dataset.ready = "1";
    } catch (e) {
      showError(e.message);
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function start() {
    const params = new URLSearchParams(location.search);
    $("area").value = params.get("area") || carelog.fragment.get("area") || sessionStorage.getItem("carelog.area") || "";
    $("choose").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem("carelog.area", $("area").value.trim());
      refresh();
    });
    $("site").addEventListener("change", refresh);
    for (const th of document.querySelectorAll("th.sortable")) {
      th.addEventListener("click", () => {
        if (sortKey === th.dataset.key) descending = !descending; else { sortKey = th.dataset.key; descending = true; }
        render();
      });
    }
    refresh();
  }
  carelog.requireToken(start);
})();
