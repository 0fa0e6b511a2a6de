// The meeting form's agenda: add, remove and reorder rows, keeping WTForms' field names in order.
(function () {
  "use strict";
  var list = document.getElementById("agenda-rows");
  if (!list) return;
  var strings = JSON.parse(document.getElementById("form-i18n").textContent);

  function renumber() {
    var total = 0;
    Array.prototype.forEach.call(list.children, function (row, index) {
      row.querySelectorAll("input, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/agenda-\d+-/, "agenda-" + index + "-"));
        });
      });
      // Screen readers hear "Item 3" for the third row, also after a move.
      var titleLabel = row.querySelector("label[for$='-title']");
      if (titleLabel) titleLabel.textContent = strings.item + " " + (index + 1);
      var minutesLabel = row.querySelector("label[for$='-planned_minutes']");
      if (minutesLabel) minutesLabel.textContent = strings.minutes + " " + (index + 1);
      var minutes = parseInt(row.querySelector(".agenda-minutes").value, 10);
      if (row.querySelector(".agenda-title").value.trim() && minutes > 0) total += minutes;
    });
    document.getElementById("agenda-total").textContent = strings.total.replace("{n}", total);
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest("li");
    if (button.classList.contains("move-up") && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.classList.contains("move-down") && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else if (button.classList.contains("remove")) {
      if (list.children.length > 1) row.remove();
      else row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    }
    renumber();
    button.focus();
  });
  list.addEventListener("input", renumber);

  document.getElementById("add-item").addEventListener("click", function () {
    var row = list.lastElementChild.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.value = input.classList.contains("agenda-minutes") ? "10" : "";
    });
    list.appendChild(row);
    renumber();
    row.querySelector(".agenda-title").focus();
  });
  renumber();
})();
