/* The confirmation pages: tick the whole batch from a header box, count the ticks, warn
   before leaving unsaved ticks, and follow the pickers as soon as they change. */
(function () {
  "use strict";
  const form = document.getElementById("confirm-form");
  if (!form) return;
  const sendBack = document.getElementById("send-back-form");

  function boxes(column) {
    return Array.from(document.querySelectorAll("input[data-check='" + column + "']"));
  }
  function open(column) {
    return boxes(column).filter((box) => !box.disabled);
  }

  // What the page loaded with, so leaving after a change asks first.
  const loaded = new Map();
  boxes("tick").concat(boxes("chosen")).forEach((box) => loaded.set(box, box.checked));
  let submitting = false;
  function dirty() {
    for (const [box, checked] of loaded) if (box.checked !== checked) return true;
    return false;
  }
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && dirty()) { event.preventDefault(); event.returnValue = ""; }
  });

  function sync(column) {
    const all = document.querySelector("input[data-check-all='" + column + "']");
    const live = open(column);
    const ticked = live.filter((box) => box.checked).length;
    if (all) {
      all.checked = live.length > 0 && ticked === live.length;
      all.indeterminate = ticked > 0 && ticked < live.length;
      all.disabled = live.length === 0;
    }
    if (column === "tick") {
      const note = document.getElementById("tick-count");
      if (note) note.textContent = live.length ? "เลือกไว้ " + ticked + " จาก " + live.length + " รายการ" : "";
    } else {
      const count = document.getElementById("chosen-count");
      if (count) count.textContent = ticked;
      const button = document.getElementById("send-back");
      if (button) button.disabled = ticked === 0;
      boxes("chosen").forEach((box) => box.closest("tr").classList.toggle("table-warning", box.checked));
    }
  }

  document.querySelectorAll("input[data-check-all]").forEach((all) => {
    const column = all.dataset.checkAll;
    all.addEventListener("change", () => {
      open(column).forEach((box) => { box.checked = all.checked; });
      sync(column);
    });
  });
  document.addEventListener("change", (event) => {
    const column = event.target.dataset && event.target.dataset.check;
    if (column) sync(column);
  });
  sync("tick");
  sync("chosen");

  form.addEventListener("submit", () => { submitting = true; });
  if (sendBack) {
    sendBack.addEventListener("submit", (event) => {
      const chosen = boxes("chosen").filter((box) => box.checked).length;
      const reason = sendBack.querySelector("textarea[name='reason']");
      if (chosen && reason.value.trim() &&
          !window.confirm("ส่งกลับ " + chosen + " รายการให้อำเภอแก้ไขหรือไม่? รายการเหล่านี้จะถูกยกเลิกการยืนยันทั้งระดับอำเภอและจังหวัด")) {
        event.preventDefault();
        return;
      }
      submitting = true;
    });
    const go = document.getElementById("goto-send-back");
    if (go) go.addEventListener("click", () => { setTimeout(() => sendBack.querySelector("textarea").focus(), 0); });
  }

  // The pickers load the page they name once a value is chosen (page.js: at once by mouse or
  // touch, on Enter by keyboard); the button stays too.
  document.querySelectorAll("[data-auto-submit]").forEach((select) => {
    window.otopWhenChosen(select, () => select.form.submit());
  });
})();
