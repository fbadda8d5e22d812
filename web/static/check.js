// ismsd: Ctrl+Enter (⌘+Enter) in a form of the IT-Grundschutz-Check saves
// it. The pages work fully without this script.
(function () {
  "use strict";
  var hints = document.querySelectorAll(".kbd-hint");
  for (var i = 0; i < hints.length; i++) {
    hints[i].hidden = false;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) {
      return;
    }
    var target = ev.target;
    if (!(target instanceof Element)) {
      return;
    }
    var form = target.closest("form.entry-form, form.entry-form-full, form.plan-form");
    if (!form) {
      return;
    }
    ev.preventDefault();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
