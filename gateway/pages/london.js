// Europe/London time for the pages, by the rule of SPEC.md "Calendar" (BST from 01:00 UTC on the last
// Sunday of March to 01:00 UTC on the last Sunday of October), whatever the browser's own time zone.
"use strict";
const londonTime = (() => {
  // The day of the month of the last Sunday of a month (1..12).
  function lastSunday(year, month) {
    const last = new Date(Date.UTC(year, month, 0));  // the month's last day
    return last.getUTCDate() - last.getUTCDay();
  }
  // True when the London clock shows BST at the end of the date (the clocks change at 01:00 UTC,
  // so the end of a change day already has the new offset).
  function summerAtEndOf(year, month, day) {
    if (month < 3 || month > 10) return false;
    if (month > 3 && month < 10) return true;
    return month === 3 ? day >= lastSunday(year, 3) : day < lastSunday(year, 10);
  }
  // The instant just before the London midnight that ends the date (YYYY-MM-DD), as RFC 3339 with the
  // London offset of that instant; null for anything else.
  function endOfDay(date) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || "");
    if (!m) return null;
    const offset = summerAtEndOf(Number(m[1]), Number(m[2]), Number(m[3])) ? "+01:00" : "+00:00";
    return `${date}T23:59:59.999999${offset}`;
  }
  return { endOfDay };
})();
