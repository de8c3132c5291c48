// The date picker shows the Christian year; say the chosen day in B.E. as well.
(function () {
  "use strict";
  var input = document.getElementById("id_open_until_date");
  if (!input) return;
  var months = JSON.parse(document.getElementById("thai-months").textContent);
  var note = document.createElement("div");
  note.className = "form-text text-body fw-semibold";
  note.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", note);
  function show() {
    var parts = input.value.split("-");
    note.textContent = parts.length === 3
      ? "วันที่ " + Number(parts[2]) + " " + months[Number(parts[1]) - 1] + " " + (Number(parts[0]) + 543)
      : "";
  }
  input.addEventListener("change", show);
  show();
})();
