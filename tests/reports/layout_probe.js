// Used by test_reports_browser.py: each page under test is shown in an iframe of the width to test
// (Chromium will not make a window narrower than 500 px) with a data-key; when it has loaded, this
// script measures the laid-out page and writes what overflows or is clipped, as JSON, into a pre
// element of class layout-probe with the same data-key.
function layoutProbe(frame) {
  const win = frame.contentWindow;
  const document = frame.contentDocument;
  const problems = [];
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const name = (el) => {
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    const cls = typeof el.className === "string" && el.className ? "." + el.className.split(" ").join(".") : "";
    return el.tagName.toLowerCase() + cls + " «" + text + "»";
  };
  if (doc.scrollWidth > vw + 1) {
    problems.push("page scrolls sideways: scrollWidth " + doc.scrollWidth + " > " + vw);
  }
  for (const el of document.querySelectorAll("main, table, figure, .card, .cards, .cat, section, details, dl")) {
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.push("overflows its box (" + el.scrollWidth + " > " + el.clientWidth + "): " + name(el));
    }
  }
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) {
      problems.push("outside the page (" + Math.round(r.left) + ".." + Math.round(r.right) + " of " + vw + "): " + name(el));
    }
    const style = win.getComputedStyle(el);
    const hidden = ["hidden", "clip"];
    if (hidden.includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      problems.push("text cut off (" + el.scrollWidth + " > " + el.clientWidth + "): " + name(el));
    }
  }
  for (const svg of document.querySelectorAll("svg")) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        problems.push("chart text clipped: «" + t.textContent + "» in «" + (svg.getAttribute("aria-label") || "") + "»");
      }
    }
  }
  const out = window.document.createElement("pre");
  out.className = "layout-probe";
  out.dataset.key = frame.dataset.key;
  out.textContent = JSON.stringify({ viewport: vw, problems: problems });
  window.document.body.appendChild(out);
}
