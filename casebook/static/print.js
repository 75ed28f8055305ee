// The print button of the case sheets: shown only where JavaScript runs (the CSP allows no
// inline script); without it, the page tells how to print with the browser's own command.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
