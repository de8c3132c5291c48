/* Nothing typed is lost: a form with data-unsaved-key keeps what was typed in the browser
   (localStorage, per officer, area and month: the key says which) each time it is sent,
   and forgets it once the server says it is saved (data-saved="1"). If the save never
   arrived (the session expired, the connection dropped, the server answered an error), the
   page offers it back the next time it opens. A page the server sent back with its errors
   (data-posted="1") already shows what was typed, so it offers nothing.
   The entry grid does the same in entry.js, from its JSON rows. */
(function () {
  "use strict";

  function fields(form) {
    return Array.from(form.elements).filter(
      (el) => el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" && el.type !== "button"
    );
  }

  function keep(form) {
    const values = {};
    fields(form).forEach((el) => {
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try {
      window.localStorage.setItem(form.dataset.unsavedKey, JSON.stringify({ at: Date.now(), values }));
    } catch (error) {
      // Storage full or refused: the save goes on without the copy.
    }
  }

  function kept(form) {
    try {
      return JSON.parse(window.localStorage.getItem(form.dataset.unsavedKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function forget(form) {
    try {
      window.localStorage.removeItem(form.dataset.unsavedKey);
    } catch (error) {
      // nothing kept
    }
  }

  /* Put the kept values back; add the lines a formset had (its add button makes them). */
  function restore(form, saved) {
    const values = saved.values;
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    const add = form.querySelector("[data-unsaved-add]");
    if (total && add) {
      const wanted = parseInt(values[total.name], 10) || 0;
      for (let n = parseInt(total.value, 10); n < wanted; n += 1) add.click();
    }
    fields(form).forEach((el) => {
      if (!(el.name in values)) return;
      if (el.type === "checkbox") el.checked = Boolean(values[el.name]);
      else el.value = values[el.name];
      el.dispatchEvent(new Event(el.type === "checkbox" || el.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
    });
    form.dispatchEvent(new CustomEvent("unsaved-restored"));
  }

  function offer(form, saved) {
    const box = document.createElement("div");
    box.className = "alert alert-warning";
    box.setAttribute("role", "alert");
    box.id = "unsaved-offer";
    const when = new Date(saved.at).toLocaleString("th-TH", { dateStyle: "medium", timeStyle: "short" });
    const text = document.createElement("div");
    text.className = "mb-2";
    text.textContent = `มีข้อมูลที่ยังไม่ได้บันทึกของหน้านี้ในเครื่องนี้ (กรอกไว้เมื่อ ${when} น.) ต้องการกู้คืนมาแก้ไขต่อหรือไม่`;
    const restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "btn btn-sm btn-warning me-2";
    restoreButton.id = "unsaved-restore";
    restoreButton.textContent = "กู้คืน";
    const discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "btn btn-sm btn-outline-secondary";
    discardButton.id = "unsaved-discard";
    discardButton.textContent = "ทิ้ง";
    box.append(text, restoreButton, discardButton);
    form.before(box);
    restoreButton.addEventListener("click", () => {
      restore(form, saved);
      box.remove();
    });
    discardButton.addEventListener("click", () => {
      forget(form);
      box.remove();
    });
  }

  document.querySelectorAll("form[data-unsaved-key]").forEach((form) => {
    form.addEventListener("submit", () => keep(form));
    const saved = kept(form);
    if (form.dataset.saved === "1") forget(form);
    else if (saved && form.dataset.posted !== "1") offer(form, saved);
  });
})();
