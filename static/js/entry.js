/* The monthly entry grid: totals as you type, add and delete rows, spreadsheet keys,
   paste a column from Excel, filter by name, and a warning before leaving unsaved work. */
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  if (!form) return;
  const body = document.getElementById("rows");
  const canEdit = form.dataset.canEdit === "1";
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  let dirty = false;

  const thaiDigits = /[๐-๙]/g;
  function parseAmount(text) {
    if (text == null) return 0;
    const clean = String(text).replace(thaiDigits, (d) => "๐๑๒๓๔๕๖๗๘๙".indexOf(d)).replace(/[,\s]/g, "");
    if (clean === "") return 0;
    if (!/^\d+(\.\d{0,2})?$/.test(clean)) return NaN;
    return Math.round(parseFloat(clean) * 100); // satang, an exact integer
  }
  function show(satang) {
    return Number.isNaN(satang) ? "–" : money.format(satang / 100);
  }
  function liveRows() {
    return Array.from(body.querySelectorAll("tr[data-row]")).filter((tr) => !tr.classList.contains("d-none-deleted"));
  }
  function recompute() {
    let sums = [0, 0];
    let bad = false;
    let n = 0;
    liveRows().forEach((tr) => {
      n += 1;
      tr.querySelector(".row-number").textContent = n;
      const inputs = tr.querySelectorAll("input[data-amount]");
      if (!inputs.length) return;
      const values = Array.from(inputs).map((i) => parseAmount(i.value));
      const rowSum = values[0] + values[1];
      tr.querySelector("[data-row-total]").textContent = show(rowSum);
      values.forEach((v, k) => { if (Number.isNaN(v)) bad = true; else sums[k] += v; });
    });
    if (canEdit) {
      document.getElementById("sum-domestic").textContent = bad ? "–" : show(sums[0]);
      document.getElementById("sum-export").textContent = bad ? "–" : show(sums[1]);
      document.getElementById("sum-total").textContent = bad ? "–" : show(sums[0] + sums[1]);
    }
    document.getElementById("row-count").textContent = n + " รายการ";
    document.getElementById("empty-note").classList.toggle("d-none", n > 0);
  }

  function markDirty() { dirty = true; }
  window.addEventListener("beforeunload", (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  form.addEventListener("submit", () => { dirty = false; });
  const picker = document.getElementById("goto-month");
  if (picker) picker.addEventListener("change", () => { window.location.href = picker.value; });

  function addRow() {
    const index = parseInt(total.value, 10);
    const html = document.getElementById("row-template").innerHTML.replace(/__prefix__/g, index);
    body.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    const tr = body.lastElementChild;
    recompute();
    markDirty();
    tr.querySelector("input[data-name]").focus();
    return tr;
  }

  if (canEdit) {
    document.getElementById("add-row").addEventListener("click", addRow);
    body.addEventListener("click", (e) => {
      const button = e.target.closest("[data-delete]");
      if (!button) return;
      const tr = button.closest("tr");
      const name = tr.querySelector("input[data-name]").value || "ที่ไม่มีชื่อ";
      if (!window.confirm("คุณยินดีที่จะลบข้อมูล " + name + " รายการนี้หรือไม่?")) return;
      tr.querySelector("input[name$='-DELETE']").checked = true;
      tr.classList.add("d-none", "d-none-deleted");
      markDirty();
      recompute();
    });
    body.addEventListener("input", (e) => {
      markDirty();
      if (e.target.matches("input[data-amount]")) recompute();
    });
    body.addEventListener("change", markDirty);
    // Show separators when leaving an amount; plain digits while typing.
    body.addEventListener("focusout", (e) => {
      const input = e.target;
      if (!input.matches("input[data-amount]") || input.value.trim() === "") return;
      const v = parseAmount(input.value);
      if (!Number.isNaN(v)) input.value = show(v);
    });
    // Enter moves down the same column, like a spreadsheet; Tab moves across as usual.
    body.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !e.target.matches("input")) return;
      e.preventDefault();
      const column = e.target.dataset.amount ? "input[data-amount='" + e.target.dataset.amount + "']" : "input[data-name]";
      const rows = liveRows();
      const here = rows.indexOf(e.target.closest("tr"));
      const next = rows[here + (e.shiftKey ? -1 : 1)];
      if (next) next.querySelector(column).select();
    });
    // A column pasted from Excel fills this cell and the ones below it.
    body.addEventListener("paste", (e) => {
      const input = e.target;
      if (!input.matches("input[data-amount]")) return;
      const text = (e.clipboardData || window.clipboardData).getData("text");
      const lines = text.replace(/\r/g, "").split("\n").filter((l, i, all) => l !== "" || i < all.length - 1);
      if (lines.length < 2) return;
      e.preventDefault();
      const selector = "input[data-amount='" + input.dataset.amount + "']";
      const rows = liveRows();
      let at = rows.indexOf(input.closest("tr"));
      lines.forEach((line) => {
        const row = rows[at++];
        if (row) row.querySelector(selector).value = line.split("\t")[0].trim();
      });
      markDirty();
      recompute();
    });
  }

  const filter = document.getElementById("row-filter");
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    liveRows().forEach((tr) => {
      const name = (tr.querySelector("input[data-name]") || tr.children[1]).value || tr.children[1].textContent;
      tr.classList.toggle("d-none", q !== "" && !name.toLowerCase().includes(q));
    });
  });

  recompute();
})();
