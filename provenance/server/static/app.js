// The verify page's only script (the CSP allows no other): drop a file on the box, and
// say "Checking..." while the form is sent. The page works without it.
"use strict";
(function () {
  var form = document.getElementById("verify-form");
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var hint = document.getElementById("drop-hint");
  var text = document.getElementById("text");
  var button = document.getElementById("check");
  if (!form || !drop || !input) { return; }

  var maxBytes = Number(form.getAttribute("data-max-bytes")) || 0;

  function tooLarge() {
    var f = input.files && input.files[0];
    return Boolean(f && maxBytes && f.size > maxBytes);
  }

  function chosen() {
    if (input.files && input.files.length > 0) {
      var f = input.files[0];
      if (tooLarge()) {
        hint.textContent = f.name + " is larger than this server accepts (" +
          (maxBytes / 1048576) + " MiB): choose a smaller file";
        hint.classList.add("error");
      } else {
        hint.textContent = "Chosen: " + f.name;  // textContent: never markup
        hint.classList.remove("error");
      }
      if (text) { text.value = ""; }
    }
  }
  input.addEventListener("change", chosen);
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length > 0) {
      input.files = event.dataTransfer.files;
      chosen();
    }
  });
  form.addEventListener("submit", function (event) {
    if (tooLarge()) {  // the server would refuse it (413): do not send it at all
      event.preventDefault();
      chosen();
      return;
    }
    if (button) {
      button.disabled = true;
      button.textContent = "Checking\u2026";
    }
    form.setAttribute("aria-busy", "true");
  });
  window.addEventListener("pageshow", function () {  // back to the page: ready again
    if (button) { button.disabled = false; button.textContent = "Check"; }
    form.removeAttribute("aria-busy");
  });
})();
