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

// Suggest-as-you-type for a search box with `data-suggest`: completions from the titles and
// words the person may see, offered through the box's own <datalist>, so the browser's
// native, accessible list shows them. Without script the box is a plain search box.
const SUGGEST_DELAY_MS = 200;

function enhanceSearchBox(input) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) {
    return;
  }
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const typed = input.value.trim();
    if (typed.length < 2 || typed === asked) {
      return;
    }
    timer = window.setTimeout(async () => {
      asked = typed;
      const url = `${input.dataset.suggest}?q=${encodeURIComponent(typed)}`;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) {
          return;
        }
        const body = await response.json();
        list.replaceChildren(
          ...body.suggestions.map((text) => {
            const option = document.createElement("option");
            option.value = text;
            return option;
          }),
        );
      } catch (error) {
        // Suggestions are a convenience: a failed fetch leaves the box as it is.
      }
    }, SUGGEST_DELAY_MS);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(enhanceSearchBox);
});
