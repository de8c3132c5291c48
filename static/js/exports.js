/* The export detail report: shared option lists, add and delete lines, the running total,
   and a warning before leaving unsaved work. */
(function () {
  "use strict";
  const form = document.getElementById("export-form");
  if (!form) return;
  const body = document.getElementById("lines");
  const template = document.getElementById("line-template");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // A page sent back with errors holds typed work that is not saved yet.
  let dirty = form.dataset.dirty === "1";

  /* Each select renders only its chosen option; copy the page's one list into it. */
  function fillOptions(select) {
    const source = document.getElementById(select.dataset.options);
    if (!source || select.dataset.filled) return;
    const chosen = select.value;
    const list = source.content.cloneNode(true);
    if (chosen && !list.querySelector("option[value='" + CSS.escape(chosen) + "']")) {
      return; // a value not in the list (sent back with its error): keep it as it is
    }
    select.replaceChildren(list);
    select.value = chosen;
    select.dataset.filled = "1";
  }

  const thaiDigits = /[๐-๙]/g;
  function parseAmount(text) {
    const clean = String(text || "").replace(thaiDigits, (d) => "๐๑๒๓๔๕๖๗๘๙".indexOf(d)).replace(/[,\s]/g, "");
    if (clean === "") return 0;
    if (!/^\d+(\.\d{0,2})?$/.test(clean)) return NaN;
    return Math.round(parseFloat(clean) * 100); // satang, an exact integer
  }

  function rows() {
    return Array.from(body.querySelectorAll("tr[data-line]"));
  }

  function recompute() {
    let sum = 0;
    let bad = false;
    let live = 0;
    rows().forEach((tr, i) => {
      tr.querySelector(".line-number").textContent = i + 1;
      if (tr.classList.contains("line-deleted")) return;
      live += 1;
      const value = parseAmount(tr.querySelector("input[name$='-value']").value);
      if (Number.isNaN(value)) bad = true; else sum += value;
    });
    document.getElementById("lines-total").textContent = bad ? "–" : money.format(sum / 100);
    document.getElementById("lines-total-note").textContent = dirty ? "ยังไม่ได้บันทึก" : "";
    document.getElementById("line-count").textContent = live + " รายการ";
    document.getElementById("empty-note").classList.toggle("d-none", rows().length > 0);
  }

  function markDirty() {
    dirty = true;
    recompute();
  }

  window.addEventListener("beforeunload", (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  form.addEventListener("submit", () => {
    dirty = false;
    document.getElementById("save").disabled = true;
  });

  document.getElementById("add-line").addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    const tr = body.lastElementChild;
    tr.querySelectorAll("select[data-options]").forEach(fillOptions);
    markDirty();
    tr.querySelector("select").focus();
  });

  function showDeleted(tr, deleted) {
    const button = tr.querySelector("[data-delete]");
    tr.classList.toggle("line-deleted", deleted);
    button.title = deleted ? "เลิกลบ" : "ลบรายการนี้";
    button.classList.toggle("btn-outline-danger", !deleted);
    button.classList.toggle("btn-outline-secondary", deleted);
    button.querySelector("i").className = deleted ? "bi bi-arrow-counterclockwise" : "bi bi-trash";
  }

  body.addEventListener("click", (e) => {
    const button = e.target.closest("[data-delete]");
    if (!button) return;
    const tr = button.closest("tr");
    const flag = tr.querySelector("[data-delete-flag]");
    if (tr.classList.contains("line-deleted")) {
      flag.checked = false;
      showDeleted(tr, false);
      markDirty();
      return;
    }
    const number = tr.querySelector(".line-number").textContent;
    const producer = tr.querySelector("select[name$='-producer']");
    const name = producer.selectedIndex > 0 ? " " + producer.options[producer.selectedIndex].text : "";
    if (!window.confirm("ต้องการลบรายการที่ " + number + name + " ใช่หรือไม่?")) return;
    if (!tr.querySelector("input[name$='-id']").value) {
      tr.remove(); // a line never saved: nothing to delete on the server
    } else {
      flag.checked = true;
      showDeleted(tr, true);
    }
    markDirty();
  });

  body.addEventListener("input", markDirty);
  body.addEventListener("change", markDirty);
  // Show separators when leaving an amount; what was typed stays if it is not a number.
  body.addEventListener("focusout", (e) => {
    const input = e.target;
    if (!input.matches("input[name$='-value']") || input.value.trim() === "") return;
    const value = parseAmount(input.value);
    if (!Number.isNaN(value)) input.value = money.format(value / 100);
  });

  body.querySelectorAll("select[data-options]").forEach(fillOptions);
  rows().forEach((tr) => {
    if (tr.classList.contains("line-deleted")) showDeleted(tr, true);
  });
  // Work kept from a save that never arrived (unsaved.js) is back: show its deleted lines.
  form.addEventListener("unsaved-restored", () => {
    rows().forEach((tr) => showDeleted(tr, tr.querySelector("[data-delete-flag]").checked));
    markDirty();
  });
  recompute();
})();
