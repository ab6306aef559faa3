// Practica's own script (the Content-Security-Policy allows no inline script or handler): small behaviours that
// pages opt into with data attributes. Everything works without it.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();  // a link or token to copy: one click selects it whole
  }
});
