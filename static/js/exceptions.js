// The exception screen: say a typed B.E. date in words, and ask before a withdrawal.
(function () {
  "use strict";
  var months = JSON.parse(document.getElementById("thai-months").textContent);

  // 12/05/2569 -> "วันที่ 12 พฤษภาคม 2569": the officer sees at once what the server will read.
  var input = document.getElementById("id_open_until_date");
  if (input) {
    var note = document.createElement("div");
    note.className = "form-text text-body fw-semibold";
    note.id = "open-until-words";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    var thaiDigits = "๐๑๒๓๔๕๖๗๘๙";
    var show = function () {
      var text = input.value.trim().replace(/[๐-๙]/g, function (d) { return String(thaiDigits.indexOf(d)); });
      var parts = text.match(/^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/);
      if (!parts) { note.textContent = ""; return; }
      var day = Number(parts[1]), month = Number(parts[2]), year = Number(parts[3]);
      var ce = new Date(year - 543, month - 1, day);
      var real = month >= 1 && month <= 12 && ce.getDate() === day && ce.getMonth() === month - 1;
      note.textContent = real && year >= 2500
        ? "วันที่ " + day + " " + months[month - 1] + " " + year
        : "";
    };
    input.addEventListener("input", show);
    show();
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
