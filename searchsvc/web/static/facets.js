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
