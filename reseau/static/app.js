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
// Filters folded in a <details> for phones (the catalogue): open at once on wide screens.
function reseauOpenWideFilters(root) {
  if (!window.matchMedia || !window.matchMedia("(min-width: 768px)").matches) {
    return;
  }
  root.querySelectorAll("details.filters-panel").forEach(function (details) {
    details.open = true;
  });
}
document.addEventListener("DOMContentLoaded", function () { reseauOpenWideFilters(document); });
document.addEventListener("htmx:load", function (event) { reseauOpenWideFilters(event.detail.elt); });
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
// The idle warning (RGAA 13.1.4, _session_timeout.html): shown a few minutes before the
// session ends without activity, focus on « Rester connecté·e ». Every request restarts the
// clock: a page brings the seconds left; after an htmx request the server's clock may be up
// to data-slack seconds older than now, so the count restarts that much shorter.
var reseauTimeout = { element: null, deadline: 0, timer: null, focusBack: null };
function reseauTimeoutLeft() {
  return Math.max(0, Math.round((reseauTimeout.deadline - Date.now()) / 1000));
}
function reseauTimeoutTick() {
  var box = reseauTimeout.element;
  if (!box || !document.body.contains(box)) {
    return;
  }
  var left = reseauTimeoutLeft();
  var warn = parseInt(box.getAttribute("data-warn"), 10);
  if (left <= 0) {
    var text = document.getElementById("session-timeout-text");
    text.textContent = text.getAttribute("data-expired-text");
    box.querySelector("form").hidden = true;
    box.querySelector(".session-timeout-login").hidden = false;
    box.hidden = false;
    return;
  }
  if (left <= warn) {
    var minutes = Math.ceil(left / 60);
    box.querySelector(".session-timeout-left").textContent =
      left < 60 ? "moins d'une minute" : minutes + (minutes > 1 ? " minutes" : " minute");
    if (box.hidden) {
      reseauTimeout.focusBack = document.activeElement;
      box.hidden = false;
      box.querySelector("button").focus();
    }
  }
  reseauTimeout.timer = window.setTimeout(reseauTimeoutTick, left <= warn + 1 ? 1000 : (left - warn) * 1000);
}
function reseauTimeoutStart(left) {
  window.clearTimeout(reseauTimeout.timer);
  reseauTimeout.element = document.getElementById("session-timeout");
  if (!reseauTimeout.element) {
    return;
  }
  reseauTimeout.deadline = Date.now() + left * 1000;
  reseauTimeoutTick();
}
function reseauTimeoutFromPage() {
  var box = document.getElementById("session-timeout");
  if (box && box !== reseauTimeout.element) {
    reseauTimeoutStart(parseInt(box.getAttribute("data-left"), 10));
  } else if (!box) {
    window.clearTimeout(reseauTimeout.timer);
    reseauTimeout.element = null;
  }
}
document.addEventListener("DOMContentLoaded", reseauTimeoutFromPage);
document.addEventListener("htmx:afterSettle", reseauTimeoutFromPage);
document.addEventListener("htmx:afterRequest", function (event) {
  var box = reseauTimeout.element;
  if (!box || !event.detail.successful) {
    return;
  }
  var idle = parseInt(box.getAttribute("data-idle"), 10);
  var slack = parseInt(box.getAttribute("data-slack"), 10);
  if (box.contains(event.detail.elt)) {
    // « Rester connecté·e »: the server has just restarted the clock.
    box.hidden = true;
    if (reseauTimeout.focusBack && document.body.contains(reseauTimeout.focusBack)) {
      reseauTimeout.focusBack.focus();
    }
    reseauTimeoutStart(idle);
  } else {
    reseauTimeoutStart(idle - slack);
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
