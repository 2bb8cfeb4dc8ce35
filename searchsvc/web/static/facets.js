// A facet's "show all" list narrows to the values holding what is typed in its filter box.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.classList || !box.classList.contains("facet-filter")) return;
  var text = box.value.trim().toLowerCase();
  box.parentElement.querySelectorAll("li").forEach(function (item) {
    var value = item.querySelector(".value").textContent.toLowerCase();
    item.hidden = text !== "" && value.indexOf(text) < 0;
  });
});

// On a narrow screen the filters start folded above the results; on a wide one they are open.
(function () {
  var filters = document.querySelector("details.filters");
  if (!filters || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 720px)");
  filters.open = !narrow.matches;
  narrow.addEventListener("change", function () { filters.open = !narrow.matches; });
})();
