// The only script of the web application: a select marked data-autosubmit submits its form when changed.
// Everything works without it (each such form has its own button).
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t instanceof HTMLSelectElement && t.hasAttribute("data-autosubmit") && t.form) t.form.submit();
});
