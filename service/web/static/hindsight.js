// A little of our own script; every page works without it.
"use strict";

// After a form comes back with errors, move focus to its summary, as GOV.UK does, so
// screen-reader and keyboard users start from the list of what to fix.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});
