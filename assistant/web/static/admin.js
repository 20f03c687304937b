// LSS-assistenten, admin page. The token is read from the password field at each call and sent
// only in the Authorization header of same-origin fetch requests; it is never stored.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  function show(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  function token() {
    const value = $("token").value.trim();
    if (!value) {
      show("Skriv administratörsnyckeln först.", true);
      $("token").focus();
    }
    return value;
  }

  async function call(url, body, button) {
    const key = token();
    if (!key) return;
    button.disabled = true;
    show("Arbetar …", false);
    $("result").textContent = "";
    try {
      const resp = await fetch(url, {
        method: "POST",
        headers: { Authorization: "Bearer " + key },
        body: body,
        credentials: "omit",
        cache: "no-store",
      });
      let data = null;
      try { data = await resp.json(); } catch (e) { data = null; }
      if (!resp.ok) {
        const message = data && data.error ? data.error.message : "Fel " + resp.status;
        show(message, true);
        return;
      }
      const report = data.reindex || (data.summary ? data : null);
      const parts = [];
      if (data.stored) parts.push("Sparad som " + data.stored + (data.overwritten ? " (ersatte den gamla filen)" : "") + ".");
      if (report) parts.push("Inläsningen är klar.");
      else if (data.stored) parts.push("Läs in korpusen igen för att assistenten ska använda filen.");
      show(parts.join(" "), false);
      $("result").textContent = (report ? report.summary + "\n\n" : "") + JSON.stringify(data, null, 2);
    } catch (err) {
      show("Kunde inte nå servern: " + err, true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("reindex-button").addEventListener("click", function () {
      call("/api/admin/reindex", null, $("reindex-button"));
    });
    $("upload-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!$("file").files.length) {
        show("Välj en fil att ladda upp.", true);
        return;
      }
      const form = new FormData($("upload-form"));
      call("/api/admin/upload", form, $("upload-button"));
    });
  });
})();
