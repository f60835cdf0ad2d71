// Réseau's only script: sends the CSRF token with every htmx request and moves focus to
// the first field in error after a swap. Pages work without it.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var invalid = event.detail.target.querySelector('[aria-invalid="true"]');
  if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
    invalid.focus();
  }
});
