// What scrolls sideways says so: a wide table inside its card (a line above it and a shadow on the
// side that hides more) and the room's quick links (an arrow while more are off screen). Each box
// gets data-scrolls = "no" | "more" | "end"; static/css/app.css draws the hints from it.
(function () {
  "use strict";
  var hintText = document.currentScript && document.currentScript.dataset.hint;

  function mark(box) {
    var extra = box.scrollWidth - box.clientWidth;
    var state = extra <= 1 ? "no" : box.scrollLeft >= extra - 1 ? "end" : "more";
    if (box.dataset.scrolls !== state) box.dataset.scrolls = state;
    var hint = box.previousElementSibling;
    if (hint && hint.classList.contains("scroll-hint")) hint.hidden = state === "no";
  }

  function setUp() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".table-wrap, .quick-nav"));
    boxes.forEach(function (box) {
      if (hintText && box.classList.contains("table-wrap")) {
        var hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = hintText;
        hint.hidden = true;
        box.parentNode.insertBefore(hint, box);
      }
      mark(box);
      box.addEventListener("scroll", function () { mark(box); }, { passive: true });
    });
    var again = function () { boxes.forEach(mark); };
    window.addEventListener("resize", again);
    // Content filled in later (the room's panels, fonts) can change the widths.
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(again);
      boxes.forEach(function (box) { observer.observe(box); if (box.firstElementChild) observer.observe(box.firstElementChild); });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
