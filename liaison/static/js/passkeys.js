// Passkeys and security keys (WebAuthn): adding one (account and set-up pages) and using one at
// the second-factor step. The forms stay hidden where the browser has no WebAuthn.
(function () {
  "use strict";

  async function post(form, url, body) {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      throw new Error((data.error && data.error.message) || "That did not work. Try again.");
    }
    return data;
  }

  function say(form, message) {
    form.querySelector("[data-passkey-status]").textContent = message;
  }

  async function add(form) {
    const options = await post(form, form.dataset.optionsUrl);
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    const name = form.querySelector("input[name=name]").value;
    const done = await post(form, form.action, { name: name, credential: credential.toJSON() });
    if (!done.recovery_codes.length) {
      window.location.reload();
      return;
    }
    const codes = form.querySelector("[data-passkey-codes]");
    const list = codes.querySelector("ul");
    done.recovery_codes.forEach(function (code) {
      const item = document.createElement("li");
      item.appendChild(document.createElement("code")).textContent = code;
      list.appendChild(item);
    });
    codes.hidden = false;
    say(form, "Added the passkey “" + done.name + "”.");
  }

  async function use(form) {
    const options = await post(form, form.dataset.optionsUrl);
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    const next = form.querySelector("input[name=next]").value;
    const done = await post(form, form.action, { credential: credential.toJSON(), next: next });
    window.location.assign(done.next);
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      return;
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(form, "Waiting for your passkey or security key…");
      (form.dataset.passkey === "add" ? add(form) : use(form)).catch(function (error) {
        say(form, error.name === "NotAllowedError" ? "Cancelled, or the passkey did not answer." : error.message);
      });
    });
  });
})();
