// The web application's only script; every page works without it.
// 1. A select marked data-autosubmit submits its form when changed (each such form also has its own button).
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t instanceof HTMLSelectElement && t.hasAttribute("data-autosubmit") && t.form) t.form.submit();
});
// 2. A form that posts disables its buttons once sent, so a double click sends it once (the Idempotency-Key covers
//    the writes that honour it; issuing a token does not).
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!(f instanceof HTMLFormElement) || f.method.toLowerCase() !== "post") return;
  setTimeout(function () { f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
});
