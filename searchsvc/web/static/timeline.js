// The results page's year chart: counts of matches (drawn by the server), or, on request,
// each year's share of all articles, read from /api/timeline. Without script the chart
// shows counts, as before.
(function () {
  "use strict";
  const figure = document.querySelector("figure.chart[data-timeline]");
  if (!figure || !window.fetch) {
    return;
  }
  const svg = figure.querySelector("svg");
  const caption = figure.querySelector("figcaption");
  const height = Number(figure.dataset.height);
  const rects = Array.from(svg.querySelectorAll("rect[data-year]"));
  const counts = rects.map((rect) => ({
    height: rect.getAttribute("height"), y: rect.getAttribute("y"),
    title: rect.querySelector("title").textContent,
  }));
  const captions = {count: caption.textContent, share: "Share of each year's articles"};
  let periods = null;

  const group = document.createElement("div");
  group.className = "chart-mode";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "The chart shows");
  const buttons = {};
  for (const [mode, label] of [["count", "Counts"], ["share", "Share of all articles"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.mode = mode;
    button.setAttribute("aria-pressed", String(mode === "count"));
    button.addEventListener("click", () => show(mode));
    buttons[mode] = button;
    group.appendChild(button);
  }
  figure.appendChild(group);

  function drawShare() {
    const byYear = new Map(periods.map((period) => [period.start.slice(0, 4), period]));
    const shares = rects.map((rect) => (byYear.get(rect.dataset.year) || {share: 0}).share);
    const peak = Math.max(...shares) || 1;
    rects.forEach((rect, index) => {
      const period = byYear.get(rect.dataset.year);
      const barHeight = Math.max(1, Math.round(height * shares[index] / peak));
      rect.setAttribute("height", String(barHeight));
      rect.setAttribute("y", String(height - barHeight));
      rect.querySelector("title").textContent = period
        ? `${rect.dataset.year}: ${(100 * period.share).toFixed(2)}% of ${period.articles} articles`
        : `${rect.dataset.year}: no articles`;
    });
  }

  function drawCounts() {
    rects.forEach((rect, index) => {
      rect.setAttribute("height", counts[index].height);
      rect.setAttribute("y", counts[index].y);
      rect.querySelector("title").textContent = counts[index].title;
    });
  }

  async function show(mode) {
    if (mode === "share" && periods === null) {
      const response = await fetch(figure.dataset.timeline, {headers: {Accept: "application/json"}});
      if (!response.ok) {
        return;
      }
      periods = (await response.json()).periods;
    }
    if (mode === "share") {
      drawShare();
    } else {
      drawCounts();
    }
    caption.textContent = captions[mode];
    for (const [name, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", String(name === mode));
    }
    figure.dataset.mode = mode;
  }
})();
