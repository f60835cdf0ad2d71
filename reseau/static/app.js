// Réseau's only script: sends the CSRF token with every htmx request, moves focus to the
// first field in error after a swap and opens confirmation dialogs. Pages work without it.
// The token is read from <body> first: hx-boost swaps the body but never <head>, so after a
// boosted login (which starts a new session) the meta tag would hold a stale token.
document.addEventListener("htmx:configRequest", function (event) {
  var holder = document.getElementById("csrf-token");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = holder ? holder.getAttribute("data-token") : meta && meta.content;
  if (token) {
    event.detail.headers["X-CSRFToken"] = token;
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  // A page restored from history has no target.
  if (!event.detail.target || !event.detail.target.querySelector) {
    return;
  }
  // A destructive action's confirmation, loaded into the page's <dialog>: show it (modal,
  // focus inside; Escape or "Non" closes it). Without this script, the link opens the page.
  if (event.detail.target.id === "confirm-dialog" && !event.detail.target.open) {
    event.detail.target.showModal();
    return;
  }
  var invalid = event.detail.target.querySelector('[aria-invalid="true"]');
  if (invalid && event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
    invalid.focus();
  }
});
// "Mes agendas": copy a feed address. The buttons stay hidden without this script (the
// address is in a read-only field that can be selected by hand).
function reseauShowCopyButtons(root) {
  root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
    button.hidden = false;
  });
}
document.addEventListener("DOMContentLoaded", function () { reseauShowCopyButtons(document); });
document.addEventListener("htmx:load", function (event) { reseauShowCopyButtons(event.detail.elt); });
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  var input = button && document.getElementById(button.getAttribute("data-copy"));
  if (!input) {
    return;
  }
  var status = button.parentNode.nextElementSibling;
  var done = function () {
    if (status && status.classList.contains("copy-status")) {
      status.textContent = "Adresse copiée.";
    }
  };
  input.select();
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      document.execCommand("copy");
      done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
// A person's category changes: suggest that category's sub-categories ("élu municipal"…).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.name !== "category" || !select.form) {
    return;
  }
  var input = select.form.querySelector('input[name="sub_category"]');
  if (input) {
    var list = document.getElementById("sub-category-" + select.value);
    input.setAttribute("list", list ? list.id : "sub-category-all");
  }
});
