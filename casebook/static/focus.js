// Move focus to what a form page asks for once it loads: the error summary after a failed
// save, the preview after 確認. The element carries data-focus-on-load and tabindex="-1".
// Without JavaScript the same element is the first thing after the page heading.
const target = document.querySelector("[data-focus-on-load]");
if (target && !window.location.hash) {
  target.focus();
  target.scrollIntoView({ block: "start" });
}
// A link in the error summary moves focus to its field (and shows its label above it).
document.querySelectorAll(".error-summary a[href^='#']").forEach((link) => {
  link.addEventListener("click", (event) => {
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    const label = field.closest(".field") || field;
    label.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
});
