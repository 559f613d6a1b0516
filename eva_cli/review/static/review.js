// Keyboard shortcuts and the small helpers of the review page. No framework, no build step.
(function () {
  "use strict";
  var form = document.getElementById("judge");
  if (!form) { return; }
  var edit = document.getElementById("edit");
  var reason = document.getElementById("flag_reason");

  function copyReply(letter) {
    var text = document.getElementById("text-" + letter).textContent;
    edit.value = text;
    edit.focus();
    edit.setSelectionRange(text.length, text.length);
  }

  // A flagged reply needs a reason.
  function syncReason() {
    reason.required = ["a", "b"].some(function (l) { return document.getElementById("flag-" + l).checked; });
  }

  form.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () { copyReply(button.dataset.copy); });
  });
  ["a", "b"].forEach(function (l) { document.getElementById("flag-" + l).addEventListener("change", syncReason); });

  // One submission per page: a double click or key repeat must not send the form twice.
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "checkbox" && target.type !== "radio"));
    if (typing) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.toLowerCase();
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (button) {
      event.preventDefault();
      form.requestSubmit(button);
    } else if (key === "a" || key === "b") {
      event.preventDefault();
      copyReply(key);
    }
  });
}());
