// The import preview: show only the rows with errors when the officer ticks the box.
document.getElementById("only-errors")?.addEventListener("change", (event) => {
  document.getElementById("import-table").classList.toggle("only-errors", event.target.checked);
});
