// Behaviour every page may use, wired by data attributes instead of inline handlers,
// so that the Content-Security-Policy can refuse all inline script.
(function () {
  "use strict";

  // A picker acts once a value is chosen: at once with the mouse or a finger, but with the
  // keyboard only on Enter. Chrome fires "change" at every arrow key on a closed select, and
  // loading another page then would move the officer on while still reading the list (WCAG
  // 3.2.2, on input). The other scripts' pickers use it too (window.otopWhenChosen).
  const MOVES = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];
  function whenChosen(select, act) {
    let keyed = false;
    let pending = false;
    select.addEventListener("pointerdown", function () {
      keyed = false;
    });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        if (pending) {
          event.preventDefault();
          pending = false;
          act();
        }
        return;
      }
      const typed = event.key.length === 1 && event.key !== " ";
      if (!event.altKey && (MOVES.includes(event.key) || typed)) keyed = true;
    });
    select.addEventListener("change", function () {
      if (keyed) {
        pending = true;
        return;
      }
      act();
    });
  }
  window.otopWhenChosen = whenChosen;

  // <select data-autosubmit>: choosing a value submits its form (year, month, rows pickers).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    whenChosen(select, function () {
      select.form.submit();
    });
  });

  // <select data-navigate>: each option's value is a URL to open.
  document.querySelectorAll("select[data-navigate]").forEach(function (select) {
    whenChosen(select, function () {
      window.location.href = select.value;
    });
  });

  // <form data-no-submit>: a picker whose selects navigate; Enter must not submit it.
  document.querySelectorAll("form[data-no-submit]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
  });

  // Amount cells (inputmode="decimal": entry grid, estimate, export detail) select their
  // whole content on a click or tap, as a spreadsheet does: typing 1500 into a cell that
  // shows 0.00 gives 1500, not 15000.00 with the caret left before the zero.
  const AMOUNT = "input[inputmode='decimal']";
  let pressed = null;
  document.addEventListener("pointerdown", function (event) {
    const input = event.target.closest ? event.target.closest(AMOUNT) : null;
    pressed = input && input !== document.activeElement ? input : null;
  }, true);
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches(AMOUNT)) event.target.select();
  });
  // The pointer's own mouseup places the caret after focus: select again on its click.
  document.addEventListener("click", function (event) {
    if (pressed && event.target === pressed) pressed.select();
    pressed = null;
  }, true);

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // A report opened by an entry page's print button (?print=1) prints itself once loaded:
  // the officer prints the report, not the editing grid.
  if (document.querySelector(".report-table") && new URLSearchParams(window.location.search).get("print") === "1") {
    window.addEventListener("load", function () {
      window.print();
    });
  }

  // A link that goes back through history when it can: the browser keeps what the officer
  // typed on the page before; the link's own href is the fallback.
  document.querySelectorAll("a[data-history-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });

  // A table wider than its box scrolls inside it: the keyboard must reach the scroll box and a
  // screen reader must hear its name (axe's scrollable-region-focusable, WCAG 2.1.1). Boxes
  // that say so in the template keep their own tabindex and name; the others get them while
  // they overflow, which changes with the screen's width.
  const regions = document.querySelectorAll(".table-responsive, [data-scroll-region]");
  function nameOf(box) {
    const table = box.querySelector("table");
    const caption = table && table.caption;
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    const heading = document.querySelector("h1");
    return "ตาราง" + (heading ? " " + heading.textContent.trim() : "") + " เลื่อนดูได้";
  }
  function markScrolling() {
    regions.forEach(function (box) {
      const wide = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", nameOf(box));
          box.dataset.scrollNamed = "1";
        }
        box.dataset.scrollMarked = "1";
      } else if (!wide && box.dataset.scrollMarked) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        if (box.dataset.scrollNamed) box.removeAttribute("aria-label");
        delete box.dataset.scrollMarked;
        delete box.dataset.scrollNamed;
      }
    });
  }
  markScrolling();
  window.addEventListener("resize", markScrolling);
  window.addEventListener("load", markScrolling);
})();
