/* The monthly entry grid, drawn from the page's one JSON document (#grid-data).

   The server sends the rows as data, not as HTML (a template per row cost most of the
   page's time); this script draws them as inputs named as the server's formset expects,
   and then: totals and last month's 10x check as the officer types, a bad amount marked
   by its cell, spreadsheet keys and paste that follow the rows on screen, the name filter
   and the sent-back filter, rows the district may no longer change drawn read-only, the
   count of confirmations a save withdraws, and what was typed kept in localStorage until
   the server says it is saved. Amounts are whole satang in BigInt: no float touches money. */
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  const source = document.getElementById("grid-data");
  if (!form || !source) return;
  const doc = JSON.parse(source.textContent);
  const body = document.getElementById("rows");
  const editable = doc.editable;
  const totalForms = form.querySelector("input[name$='-TOTAL_FORMS']");
  const initialForms = form.querySelector("input[name$='-INITIAL_FORMS']");
  const revision = form.querySelector("input[name='month-revision']");
  const filter = document.getElementById("row-filter");
  const pasteNote = document.getElementById("paste-note");
  let dirty = form.dataset.posted === "1";
  let onlyReturned = false;
  let rows = []; // {tr, data, ...inputs} in the order of the grid; deleted rows stay

  /* --- amounts --------------------------------------------------------------------- */
  const THAI = "๐๑๒๓๔๕๖๗๘๙";
  // As the server's AmountField: commas only between groups of three; the sign is read apart.
  const PATTERN = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;
  const MAX = 99999999999999n; // 999,999,999,999.99 baht in satang

  /* Read a cell: [satang as a BigInt, null] (a blank is 0n), or [null, the refusal's code]. */
  function read(text) {
    let value = String(text == null ? "" : text).trim().replace(/[๐-๙]/g, (d) => THAI.indexOf(d)).replace(/\u2212/g, "-");
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
  function baht(amount) {
    const whole = (amount / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${whole}.${(amount % 100n).toString().padStart(2, "0")}`;
  }
  function normalise(name) {
    return String(name || "").trim().split(/\s+/).join(" ");
  }

  /* --- drawing the rows ------------------------------------------------------------ */
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
  }
  function labelOf(choices, value) {
    const found = choices.find((c) => c[0] === value);
    return found ? found[1] : "";
  }
  function options(choices, selected) {
    return `<option value=""${selected ? "" : " selected"}>— เลือก —</option>` +
      choices.map((c) => `<option value="${esc(c[0])}"${c[0] === selected ? " selected" : ""}>${esc(c[1])}</option>`).join("");
  }
  function feedback(messages, extra) {
    return (messages || []).map((m) => `<div class="invalid-feedback d-block${extra || ""}">${esc(m)}</div>`).join("");
  }
  const BADGES = {
    new: "text-bg-light border", pending: "text-bg-warning", district: "text-bg-primary",
    province: "text-bg-success", returned: "text-bg-danger",
  };
  function stateCell(r) {
    const icon = r.state === "returned" ? '<i class="bi bi-reply-fill" aria-hidden="true"></i> ' : "";
    let html = `<span class="badge ${BADGES[r.state]} badge-state">${icon}${esc(doc.states[r.state])}</span>`;
    if (r.id) {
      html += ` <a href="${esc(doc.historyUrl)}${r.id}/" class="text-secondary ms-1 no-print" title="ประวัติการแก้ไขรายการนี้" aria-label="ประวัติการแก้ไขรายการนี้" data-history><i class="bi bi-clock-history" aria-hidden="true"></i></a>`;
    }
    if (r.returned) {
      html += `<div class="small text-danger returned-note"><i class="bi bi-reply-fill" aria-hidden="true"></i> ${esc(r.returned.reason)}` +
        `<div class="text-muted">${esc(r.returned.by)} · ${esc(r.returned.at)}</div></div>`;
    }
    return html;
  }
  function hidden(i, field, value) {
    return `<input type="hidden" name="rows-${i}-${field}" value="${esc(value)}">`;
  }
  function amountCell(i, r, field, column, label) {
    const errors = (r.errors || {})[field];
    const invalid = errors ? " is-invalid" : "";
    return `<td class="num"><input type="text" inputmode="decimal" name="rows-${i}-${field}" value="${esc(r[field])}" autocomplete="off" spellcheck="false" class="form-control form-control-sm text-end amount${invalid}" aria-label="${label}" data-amount="${column}"${errors ? ' aria-invalid="true"' : ""}>${feedback(errors, " text-start")}</td>`;
  }

  /* One row as HTML: inputs on an open page, plain text where the district may not write. */
  function rowHtml(r, i) {
    const errors = r.errors || {};
    const locked = r.state === "province";
    const classes = ["entry-row"];
    if (r.errors) classes.push("table-danger-subtle");
    if (locked && editable) classes.push("row-locked");
    const attrs = `class="${classes.join(" ")}" data-row data-state="${r.state}"${r.returned ? " data-returned" : ""}${r.deleted ? " hidden" : ""}`;
    let html = `<tr ${attrs}><td class="text-center text-muted row-number"></td>`;
    const ids = hidden(i, "id", r.id == null ? "" : r.id) + hidden(i, "version", r.version == null ? "" : r.version);
    const pt = labelOf(doc.productTypes, r.product_type);
    const prt = labelOf(doc.producerTypes, r.producer_type);
    if (!editable || locked) {
      // Sent back as it was saved, so the server's checks see the whole month.
      const carried = editable ? ids + hidden(i, "name", r.name) + hidden(i, "product_type", r.product_type) +
        hidden(i, "producer_type", r.producer_type) + hidden(i, "domestic", r.domestic) + hidden(i, "export", r.export) : "";
      const why = locked && editable ? `<div class="small text-muted locked-note"><i class="bi bi-lock-fill" aria-hidden="true"></i> ${esc(doc.locked)}</div>` : "";
      html += `<td>${carried}<span data-name-text>${esc(r.name)}</span>${why}${feedback(errors.__all__)}</td><td>${esc(pt)}</td><td>${esc(prt)}</td>` +
        `<td class="num" data-plain="1">${esc(r.domestic)}</td><td class="num" data-plain="2">${esc(r.export)}</td>`;
    } else {
      html += `<td>${ids}<input type="text" name="rows-${i}-name" value="${esc(r.name)}" list="producer-names" maxlength="200" class="form-control form-control-sm${errors.name ? " is-invalid" : ""}" aria-label="ชื่อกลุ่ม / ผู้ผลิต" data-name>${feedback(errors.name)}${feedback(errors.__all__)}</td>` +
        `<td><select name="rows-${i}-product_type" class="form-select form-select-sm${errors.product_type ? " is-invalid" : ""}" aria-label="ประเภทผลิตภัณฑ์">${options(doc.productTypes, r.product_type)}</select>${feedback(errors.product_type)}</td>` +
        `<td><select name="rows-${i}-producer_type" class="form-select form-select-sm${errors.producer_type ? " is-invalid" : ""}" aria-label="ประเภทกลุ่ม">${options(doc.producerTypes, r.producer_type)}</select>${feedback(errors.producer_type)}</td>` +
        amountCell(i, r, "domestic", 1, "ในประเทศ (บาท)") + amountCell(i, r, "export", 2, "ต่างประเทศ (บาท)");
    }
    html += `<td class="num fw-semibold" data-row-total></td><td class="num text-muted small" data-last></td><td>${stateCell(r)}</td>`;
    if (editable) {
      html += '<td class="text-center">';
      if (!locked) {
        html += `<input type="checkbox" name="rows-${i}-DELETE" class="d-none"${r.deleted ? " checked" : ""} aria-hidden="true" tabindex="-1">` +
          '<button type="button" class="btn btn-sm btn-link text-danger p-0" data-delete title="ลบรายการนี้" aria-label="ลบรายการนี้"><i class="bi bi-x-lg fs-5" aria-hidden="true"></i></button>';
      }
      html += "</td>";
    }
    return html + "</tr>";
  }

  function bind(tr, data) {
    return {
      tr,
      data,
      name: tr.querySelector("input[data-name]"),
      productType: tr.querySelector("select[name$='-product_type']"),
      producerType: tr.querySelector("select[name$='-producer_type']"),
      amounts: Array.from(tr.querySelectorAll("input[data-amount]")),
      deleteFlag: tr.querySelector("input[name$='-DELETE']"),
      total: tr.querySelector("[data-row-total]"),
      last: tr.querySelector("[data-last]"),
    };
  }

  /* Draw every row at once: one innerHTML, then one pass to find each row's cells. */
  function draw(list) {
    body.innerHTML = list.map(rowHtml).join("");
    rows = Array.from(body.children).map((tr, i) => bind(tr, list[i]));
    totalForms.value = list.length;
  }

  /* --- reading the rows ------------------------------------------------------------- */
  function isDeleted(row) {
    return Boolean(row.deleteFlag && row.deleteFlag.checked) || (!row.deleteFlag && row.data.deleted);
  }
  function liveRows() {
    return rows.filter((row) => !isDeleted(row));
  }
  function shownRows() {
    return liveRows().filter((row) => !row.tr.hidden);
  }
  function valuesOf(row) {
    if (!row.name) {
      return {
        name: row.data.name, product_type: row.data.product_type, producer_type: row.data.producer_type,
        texts: [row.data.domestic, row.data.export],
      };
    }
    return {
      name: row.name.value, product_type: row.productType.value, producer_type: row.producerType.value,
      texts: row.amounts.map((i) => i.value),
    };
  }

  /* "up" or "down" when the total moved ten times or more since last month, as the
     confirmation page judges it (confirmations.views._change). */
  function change(total, last) {
    const jump = BigInt(doc.jump);
    if (last === null || total === last) return null;
    if (total >= last * jump) return "up";
    if (total * jump <= last) return "down";
    return null;
  }
  function lastOf(values) {
    const text = doc.last[`${normalise(values.name)}|${values.product_type}`];
    return text === undefined ? null : read(text)[0];
  }
  /* "up" or "down" when the total stands out from the producer's own history: the modified
     z-score on the median and MAD (quality.outliers.judge), in whole ten-thousandths of a
     baht. A warning beside the figure, never a refusal. Short histories are left to the
     ten-times mark above. */
  function outlier(values, total) {
    const o = doc.outliers;
    const b = o && o.baselines[`${normalise(values.name)}|${values.product_type}`];
    if (!b || total === null || b[0] < o.minHistory) return null;
    const [median, mad, meanAd] = b.slice(1, 4).map((v) => BigInt(v));
    const deviation = total * 100n - median;
    const size = deviation < 0n ? -deviation : deviation;
    const z = BigInt(o.z); // thousandths
    let out;
    if (mad > 0n) out = 6745n * size * 1000n > z * mad * 10000n; // 0.6745 |x - m| > z MAD
    else if (meanAd > 0n) out = size * 1000n * 1000000n > z * 1253314n * meanAd;
    else out = total * 100n >= median * 10n || total * 1000n <= median; // every month the same figure
    if (!out || size === 0n) return null;
    return { direction: deviation > 0n ? "up" : "down", median: median / 100n };
  }
  function showLast(row, values, total) {
    const last = lastOf(values);
    const blank = values.texts.every((t) => String(t || "").trim() === "");
    const moved = total === null || blank ? null : change(total, last);
    const odd = total === null || blank ? null : outlier(values, total);
    let html = last === null ? "–" : baht(last);
    if (moved === "up") {
      html += `<div><span class="badge text-bg-danger badge-state" data-jump="up" title="ยอดรวมเดือนนี้ตั้งแต่ ${doc.jump} เท่าของเดือนก่อน โปรดตรวจสอบ"><i class="bi bi-graph-up-arrow" aria-hidden="true"></i> เพิ่มขึ้น ≥ ${doc.jump} เท่า</span></div>`;
    } else if (moved === "down") {
      html += `<div><span class="badge text-bg-danger badge-state" data-jump="down" title="ยอดรวมเดือนนี้ไม่ถึง 1 ใน ${doc.jump} ของเดือนก่อน โปรดตรวจสอบ"><i class="bi bi-graph-down-arrow" aria-hidden="true"></i> ลดลง ≥ ${doc.jump} เท่า</span></div>`;
    }
    if (odd) {
      const word = odd.direction === "up" ? "สูงกว่า" : "ต่ำกว่า";
      html += `<div><span class="badge text-bg-warning badge-state" data-outlier="${odd.direction}" title="ยอดนี้${word}ปกติของผู้ผลิตรายนี้มาก โปรดตรวจสอบ (บันทึกได้ตามปกติ)"><i class="bi bi-exclamation-triangle" aria-hidden="true"></i> ควรตรวจสอบ: ${word}ปกติ (ปกติประมาณ ${baht(odd.median)} บาท)</span></div>`;
    }
    if (row.last.dataset.html !== html) {
      row.last.innerHTML = html;
      row.last.dataset.html = html;
    }
  }

  /* A district-confirmed row whose saved values change loses its confirmation on saving
     (sales.services.save_month compares producer, both types and the amounts). */
  function withdraws(row, values) {
    const was = row.data.confirmed;
    if (!was || isDeleted(row)) return false;
    return normalise(values.name) !== was[0] || values.product_type !== was[1] ||
      values.producer_type !== was[2] ||
      read(values.texts[0])[0] !== read(was[3])[0] || read(values.texts[1])[0] !== read(was[4])[0];
  }

  function recompute() {
    const sums = [0n, 0n];
    const bad = [false, false];
    let n = 0;
    let withdrawn = 0;
    rows.forEach((row) => {
      if (isDeleted(row)) return;
      n += 1;
      row.tr.querySelector(".row-number").textContent = n;
      const values = valuesOf(row);
      const amounts = values.texts.map((t) => read(t)[0]);
      amounts.forEach((a, k) => { if (a === null) bad[k] = true; else sums[k] += a; });
      const total = amounts.includes(null) ? null : amounts[0] + amounts[1];
      row.total.textContent = total === null ? "–" : baht(total);
      showLast(row, values, total);
      if (editable && withdraws(row, values)) withdrawn += 1;
    });
    if (editable) {
      document.getElementById("sum-domestic").textContent = bad[0] ? "–" : baht(sums[0]);
      document.getElementById("sum-export").textContent = bad[1] ? "–" : baht(sums[1]);
      document.getElementById("sum-total").textContent = bad[0] || bad[1] ? "–" : baht(sums[0] + sums[1]);
      const note = document.getElementById("withdraw-note");
      note.textContent = withdrawn ? `การบันทึกครั้งนี้จะยกเลิกการยืนยันระดับอำเภอ ${withdrawn} รายการ (ต้องยืนยันใหม่)` : "";
      note.classList.toggle("d-none", !withdrawn);
    }
    count(n);
    document.getElementById("empty-note").classList.toggle("d-none", n > 0);
  }
  function count(n) {
    const shown = shownRows().length;
    const filtered = filter.value.trim() !== "" || onlyReturned;
    document.getElementById("row-count").textContent = filtered ? `${shown} จาก ${n} รายการ` : `${n} รายการ`;
  }

  /* --- a cell's own message as the officer types ---------------------------------- */
  function mark(input, code) {
    const cell = input.closest("td");
    let message = cell.querySelector(".invalid-feedback");
    input.classList.toggle("is-invalid", code !== null);
    if (code === null) {
      input.removeAttribute("aria-invalid");
      if (message) message.remove();
      return;
    }
    input.setAttribute("aria-invalid", "true");
    if (!message) {
      message = document.createElement("div");
      message.className = "invalid-feedback d-block text-start";
      cell.appendChild(message);
    }
    message.textContent = doc.amountMessages[code] || doc.amountMessages.invalid;
  }

  /* --- filters ---------------------------------------------------------------------- */
  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    rows.forEach((row) => {
      if (isDeleted(row)) { row.tr.hidden = true; return; }
      const name = valuesOf(row).name.toLowerCase();
      const out = (q !== "" && !name.includes(q)) || (onlyReturned && !row.data.returned);
      row.tr.hidden = out;
    });
    recompute();
  }
  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", (e) => {
    // Enter filters; it never submits the month.
    if (e.key !== "Enter") return;
    e.preventDefault();
    applyFilter();
  });
  const returnedButton = document.getElementById("returned-filter");
  if (returnedButton) {
    returnedButton.addEventListener("click", () => {
      onlyReturned = !onlyReturned;
      returnedButton.setAttribute("aria-pressed", String(onlyReturned));
      returnedButton.innerHTML = onlyReturned
        ? '<i class="bi bi-list-ul" aria-hidden="true"></i> แสดงทุกรายการ'
        : '<i class="bi bi-funnel" aria-hidden="true"></i> แสดงเฉพาะรายการที่ส่งกลับ';
      applyFilter();
    });
    // A link from a send-back notice (?filter=returned) opens with the filter on.
    if (new URLSearchParams(window.location.search).get("filter") === "returned") {
      returnedButton.click();
    }
  }

  const picker = document.getElementById("goto-month");
  if (picker) window.otopWhenChosen(picker, () => { window.location.href = picker.value; });

  /* --- unsaved work kept in the browser --------------------------------------------- */
  const store = window.localStorage;
  function collect() {
    return rows.map((row) => {
      const get = (field) => {
        const input = row.tr.querySelector(`[name$='-${field}']`);
        return input ? input.value : "";
      };
      return {
        id: row.data.id, version: row.data.version, name: get("name"), product_type: get("product_type"),
        producer_type: get("producer_type"), domestic: get("domestic"), export: get("export"),
        deleted: isDeleted(row),
      };
    });
  }
  function keep() {
    try {
      store.setItem(doc.storeKey, JSON.stringify({
        at: Date.now(), revision: revision.value, initial: initialForms.value, rows: collect(),
      }));
    } catch (error) {
      // Storage full or refused (private window): the save goes on without the copy.
    }
  }
  function kept() {
    try {
      return JSON.parse(store.getItem(doc.storeKey) || "null");
    } catch (error) {
      return null;
    }
  }
  function forget() {
    try { store.removeItem(doc.storeKey); } catch (error) { /* nothing kept */ }
  }
  function restore(saved) {
    const known = new Map(doc.rows.filter((r) => r.id).map((r) => [String(r.id), r]));
    draw(saved.rows.map((r) => {
      const now = known.get(String(r.id)) || {};
      return {
        ...r, state: now.state || "new", returned: now.returned, confirmed: now.confirmed,
      };
    }));
    // The revision the typing was based on: a save over another officer's is refused.
    revision.value = saved.revision;
    initialForms.value = saved.initial;
    dirty = true;
    applyFilter();
  }
  function offer(saved) {
    const box = document.getElementById("unsaved-offer");
    const when = new Date(saved.at).toLocaleString("th-TH", { dateStyle: "medium", timeStyle: "short" });
    document.getElementById("unsaved-when").textContent = `(กรอกไว้เมื่อ ${when} น.)`;
    box.classList.remove("d-none");
    document.getElementById("unsaved-restore").addEventListener("click", () => {
      restore(saved);
      box.classList.add("d-none");
      const first = body.querySelector("input[data-name], input[data-amount]");
      if (first) first.focus();
    });
    document.getElementById("unsaved-discard").addEventListener("click", () => {
      forget();
      box.classList.add("d-none");
    });
  }

  /* --- editing ----------------------------------------------------------------------- */
  function markDirty() { dirty = true; }
  window.addEventListener("beforeunload", (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  form.addEventListener("submit", () => {
    dirty = false;
    if (editable) keep(); // until the server says it is saved
  });

  function addRow() {
    const data = { id: null, version: null, name: "", product_type: "", producer_type: "", domestic: "", export: "", state: "new" };
    const index = rows.length;
    body.insertAdjacentHTML("beforeend", rowHtml(data, index));
    rows.push(bind(body.lastElementChild, data));
    totalForms.value = rows.length;
    markDirty();
    applyFilter();
    rows[index].tr.hidden = false; // a new row shows whatever the filter
    recompute();
    rows[index].name.focus();
    return rows[index];
  }
  function rowOf(tr) {
    return rows.find((row) => row.tr === tr);
  }

  /* Fill a column of the rows on screen from `start`, one line each; return what fitted. */
  function pasteLines(input, lines) {
    const shown = shownRows();
    const start = shown.indexOf(rowOf(input.closest("tr")));
    const column = input.dataset.amount;
    let placed = 0;
    lines.forEach((line, k) => {
      const row = shown[start + k];
      if (!row || !row.amounts.length) return;
      const cells = line.split("\t");
      cells.slice(0, column === "1" ? 2 : 1).forEach((text, c) => {
        const target = row.amounts[Number(column) - 1 + c];
        target.value = text.trim();
        mark(target, read(target.value)[1]);
      });
      placed += 1;
    });
    return placed;
  }

  if (editable) {
    document.getElementById("add-row").addEventListener("click", addRow);
    body.addEventListener("click", (e) => {
      const button = e.target.closest("[data-delete]");
      if (!button) return;
      const row = rowOf(button.closest("tr"));
      const name = (row.name && row.name.value) || "ที่ไม่มีชื่อ";
      if (!window.confirm("คุณยินดีที่จะลบข้อมูล " + name + " รายการนี้หรือไม่?")) return;
      row.deleteFlag.checked = true;
      row.tr.hidden = true;
      row.tr.classList.add("d-none-deleted");
      markDirty();
      recompute();
    });
    body.addEventListener("input", (e) => {
      markDirty();
      if (e.target.matches("input[data-amount]")) mark(e.target, read(e.target.value)[1]);
      recompute();
    });
    body.addEventListener("change", () => { markDirty(); recompute(); });
    // Show separators when leaving an amount; plain digits while typing.
    body.addEventListener("focusout", (e) => {
      const input = e.target;
      if (!input.matches("input[data-amount]") || input.value.trim() === "") return;
      const [amount] = read(input.value);
      if (amount !== null) input.value = baht(amount);
    });
    // Enter moves down the same column through the rows on screen, like a spreadsheet.
    body.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !e.target.matches("input")) return;
      e.preventDefault();
      const column = e.target.dataset.amount ? `input[data-amount='${e.target.dataset.amount}']` : "input[data-name]";
      const shown = shownRows();
      const here = shown.indexOf(rowOf(e.target.closest("tr")));
      for (let k = here + (e.shiftKey ? -1 : 1); k >= 0 && k < shown.length; k += e.shiftKey ? -1 : 1) {
        const next = shown[k].tr.querySelector(column);
        if (next) { next.focus(); next.select(); return; }
      }
    });
    // A column pasted from Excel fills this cell and the ones below it on screen.
    body.addEventListener("paste", (e) => {
      const input = e.target;
      if (!input.matches("input[data-amount]")) return;
      const text = (e.clipboardData || window.clipboardData).getData("text");
      const lines = text.replace(/\r/g, "").split("\n");
      if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
      if (lines.length < 2 && !text.includes("\t")) return;
      e.preventDefault();
      const placed = pasteLines(input, lines);
      const left = lines.length - placed;
      pasteNote.textContent = left
        ? `วางได้ ${placed} แถว ไม่พอ ${left} แถว: ข้อมูล ${left} บรรทัดสุดท้ายไม่ได้วาง (วางได้เฉพาะแถวที่แสดงอยู่) กรุณาเพิ่มแถวหรือล้างคำค้นหาแล้ววางส่วนที่เหลืออีกครั้ง`
        : `วางแล้ว ${placed} แถว`;
      pasteNote.classList.toggle("alert-warning", left > 0);
      pasteNote.classList.toggle("alert-success", left === 0);
      pasteNote.classList.remove("d-none");
      markDirty();
      recompute();
    });
  }

  /* --- on opening ------------------------------------------------------------------- */
  const names = document.getElementById("producer-names");
  if (names) {
    names.append(...doc.producers.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }
  draw(doc.rows);
  applyFilter();
  if (editable) {
    const saved = kept();
    if (form.dataset.saved === "1") {
      forget(); // the server said it is saved
    } else if (saved && form.dataset.posted !== "1") {
      offer(saved);
    }
  }
  // A refused save: take the officer to the first cell to fix.
  const firstError = body.querySelector(".is-invalid");
  if (firstError) {
    firstError.scrollIntoView({ block: "center" });
    firstError.focus({ preventScroll: true });
  } else if (form.dataset.posted === "1") {
    const page = document.getElementById("page-errors") || document.getElementById("stale-rows");
    if (page) page.scrollIntoView({ block: "center" });
  }
})();
