/* The estimate form: totals as the officer types, Enter moves down a column, amounts are
   shown with separators on leaving a cell, and a warning before leaving unsaved work.
   Amounts are added as whole satang in BigInt, so no float ever touches money. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });

  const form = document.querySelector("[data-estimate-form]");
  if (!form) return;
  const THAI = "๐๑๒๓๔๕๖๗๘๙";
  // As the server's AmountField: commas only between groups of three; the sign is read apart.
  const PATTERN = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;
  const MAX = 99999999999999n; // 999,999,999,999.99 baht in satang
  const inputs = Array.from(form.querySelectorAll("input.amount"));
  const rows = Array.from(form.querySelectorAll("tbody tr[data-month]"));
  const columns = ["domestic", "export"];

  const source = document.getElementById("amount-messages");
  const MESSAGES = source ? JSON.parse(source.textContent) : {};

  /* Read a cell: [satang as a BigInt, null] (a blank is 0n), or [null, the refusal's code]. */
  function read(text) {
    let value = text.trim().replace(/[๐-๙]/g, (d) => THAI.indexOf(d)).replace(/\u2212/g, "-");
    if (value === "") return [0n, null];
    const negative = value.startsWith("-");
    if (/^[-+]/.test(value)) value = value.slice(1);
    const match = PATTERN.exec(value);
    if (!match || (match[1] === "" && !match[2])) return [null, "invalid"];
    if (negative && /[1-9]/.test(value)) return [null, "min_value"];
    const fraction = (match[2] || "").replace(/0+$/, "");
    if (fraction.length > 2) return [null, "max_decimal_places"];
    const amount = BigInt(match[1].replace(/,/g, "") || "0") * 100n + BigInt(fraction.padEnd(2, "0"));
    return amount > MAX ? [null, "max_value"] : [amount, null];
  }

  /* Show the cell's own message under it, as the server would on saving. */
  function mark(input, code) {
    const cell = input.closest("td");
    let feedback = cell.querySelector(".invalid-feedback");
    input.classList.toggle("is-invalid", code !== null);
    input.setAttribute("aria-invalid", code !== null ? "true" : "false");
    if (code === null) {
      if (feedback) feedback.remove();
      return;
    }
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.className = "invalid-feedback";
      cell.appendChild(feedback);
    }
    feedback.textContent = MESSAGES[code] || MESSAGES.invalid || "";
  }

  function baht(amount) {
    const whole = (amount / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${whole}.${(amount % 100n).toString().padStart(2, "0")}`;
  }

  /* Add up every row and column; a bad cell makes its row and column "–", not a guess. */
  function recompute() {
    const sums = { domestic: 0n, export: 0n };
    const bad = { domestic: false, export: false };
    rows.forEach((row) => {
      let total = 0n;
      let rowBad = false;
      columns.forEach((column) => {
        const [amount] = read(row.querySelector(`input[data-column="${column}"]`).value);
        if (amount === null) {
          rowBad = bad[column] = true;
        } else {
          sums[column] += amount;
          total += amount;
        }
      });
      row.querySelector("[data-total]").textContent = rowBad ? "–" : baht(total);
    });
    const foot = (key, text) => { form.querySelector(`[data-sum="${key}"]`).textContent = text; };
    foot("domestic", bad.domestic ? "–" : baht(sums.domestic));
    foot("export", bad.export ? "–" : baht(sums.export));
    foot("total", bad.domestic || bad.export ? "–" : baht(sums.domestic + sums.export));
  }

  // A page shown again after a refused save holds typed work that is not saved yet.
  let dirty = form.hasAttribute("data-unsaved");
  form.addEventListener("input", (event) => {
    dirty = true;
    if (event.target.matches("input.amount")) {
      // Judge a cell once the officer has finished it; clear a message as soon as it is fixed.
      if (read(event.target.value)[1] === null) mark(event.target, null);
      recompute();
    }
    const echo = document.querySelector(`[data-echo="${event.target.name}"]`);
    if (echo) echo.textContent = event.target.value || "........................................................";
  });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  inputs.forEach((input, index) => {
    input.addEventListener("change", () => {
      const [amount, code] = read(input.value);
      mark(input, code);
      if (amount !== null && input.value.trim() !== "") input.value = baht(amount);
    });
    input.addEventListener("focus", () => input.select());
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      // Enter goes down the column, as in a spreadsheet; only the button saves.
      event.preventDefault();
      const next = inputs.slice(index + 1).find((el) => el.dataset.column === input.dataset.column);
      (next || form.querySelector("input[name='certifier_name']") || input).focus();
    });
  });

  recompute();
})();
