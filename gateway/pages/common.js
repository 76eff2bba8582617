// Shared by the pages: the token kept for this browser session, calls to the API, small helpers.
"use strict";
const carelog = (() => {
  const KEY = "carelog.token";
  // A token in the address's fragment (#token=...) is taken once and removed from the address.
  function takeFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("token")) {
      sessionStorage.setItem(KEY, params.get("token"));
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""));
    }
    return params;
  }
  const fragment = takeFragment();
  function token() { return sessionStorage.getItem(KEY); }
  function forget() { sessionStorage.removeItem(KEY); }

  // Shows the token form until a token is entered, then calls start().
  function requireToken(start) {
    const gate = document.getElementById("gate");
    const app = document.getElementById("app");
    function open() { gate.hidden = true; app.hidden = false; start(); }
    if (token()) return open();
    gate.hidden = false; app.hidden = true;
    gate.querySelector("form").addEventListener("submit", (e) => {
      e.preventDefault();
      const value = gate.querySelector("input").value.trim();
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      open();
    });
  }

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ("HTTP " + status));
      this.status = status; this.problem = problem;
    }
  }
  async function call(method, path, body) {
    const headers = { "Authorization": "Bearer " + token() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = response.headers.get("Content-Type") || "";
    const payload = type.includes("json") ? await response.json().catch(() => null) : await response.text();
    if (response.status === 401) {
      forget();
      showError("The token was not accepted (401). Reload the page and enter a valid token.");
    }
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  }
  function showError(text) {
    const box = document.getElementById("error");
    if (!box) return;
    box.textContent = text; box.hidden = !text;
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  // A version 4 UUID from the browser's random source (crypto.randomUUID needs a secure context).
  function uuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function nhs(n) { return n && n.length === 10 ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : n; }
  return { fragment, token, forget, requireToken, call, showError, el, uuid, nhs, ApiError };
})();
