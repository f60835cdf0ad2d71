// Signature pads (signature_pad, vendored): shown only with JavaScript; each stroke is sent as
// path data ("M x y L x y …") in a hidden field, never as markup. Without JavaScript the pad
// stays hidden and the typed name signs instead.
(function () {
  function setUp(box) {
    if (box.getAttribute("data-ready") || typeof SignaturePad === "undefined") {
      return;
    }
    box.setAttribute("data-ready", "1");
    var form = box.closest("form");
    var canvas = box.querySelector("canvas");
    var path = form.querySelector('input[name="signature"]');
    var width = form.querySelector('input[name="signature_width"]');
    var height = form.querySelector('input[name="signature_height"]');
    box.hidden = false;
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    var pad = new SignaturePad(canvas, { penColor: "#000", minWidth: 0.8, maxWidth: 2.4 });
    function save() {
      var parts = [];
      pad.toData().forEach(function (group) {
        group.points.forEach(function (point, index) {
          parts.push((index ? "L" : "M") + point.x.toFixed(1) + " " + point.y.toFixed(1));
        });
      });
      path.value = parts.join(" ");
      width.value = Math.round(canvas.offsetWidth);
      height.value = Math.round(canvas.offsetHeight);
    }
    pad.addEventListener("endStroke", save);
    box.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pad.clear();
      path.value = "";
    });
  }
  function setUpAll(root) {
    if (root && root.querySelectorAll) {
      root.querySelectorAll("[data-signature-pad]").forEach(setUp);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.detail.elt); });
})();
