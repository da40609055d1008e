// The SMTP encryption follows the port as the admin types it: 465 is SSL/TLS from the first byte,
// 587 is STARTTLS (RFC 8314). Other ports keep what is chosen. The server checks the same pairs.
(function () {
  "use strict";
  var port = document.getElementById("mail_port");
  var note = document.getElementById("mail-security-followed");
  if (!port || !note) return;
  var BY_PORT = {"465": "ssl", "587": "starttls"};
  port.addEventListener("input", function () {
    var security = BY_PORT[port.value.trim()];
    if (!security) { note.textContent = ""; return; }
    var option = document.querySelector('input[name="mail_security"][value="' + security + '"]');
    if (option && !option.checked) {
      option.checked = true;
      note.textContent = note.dataset["message" + security.charAt(0).toUpperCase() + security.slice(1)] || "";
    }
  });
})();
