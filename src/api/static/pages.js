// Progressive enhancement only: every form works without this file.
// A form that is being sent disables its buttons, so a second tap does not send it again
// (the server would record it once anyway). The register gets a "mark everyone attended" button.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post") { return; }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  var register = document.querySelector("form.register");
  if (register && register.querySelector("input[type=radio][value=attended]")) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Mark everyone not yet recorded as attended";
    button.addEventListener("click", function () {
      register.querySelectorAll("fieldset.choice").forEach(function (set) {
        var none = set.querySelector("input[type=radio][value='']");
        var yes = set.querySelector("input[type=radio][value=attended]");
        if (none && none.checked && yes) { yes.checked = true; }
      });
    });
    var table = register.querySelector("table");
    table.parentNode.insertBefore(button, table);
  }
}());
