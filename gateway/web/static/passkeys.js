// Passkeys on the portal (WebAuthn): adding one on /security, signing in with one, and one
// instead of the 2-step code. A static file: the Content-Security-Policy allows no inline
// script. The server sends WebAuthn's JSON options (binary fields as base64url) and takes
// the browser's answer back as JSON (gateway/web/passkey_pages.py).
"use strict";
(function () {
  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function toText(buffer) {
    let raw = "";
    new Uint8Array(buffer).forEach((b) => { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map((c) => Object.assign({}, c, { id: toBytes(c.id) }));
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: descriptors(options.excludeCredentials),
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    });
  }

  function asJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) { response.userHandle = toText(r.userHandle); }
    }
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrfToken() },
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      const messages = Object.values(data.errors || {}).flat();
      throw new Error(messages.length ? messages.join(" ") : (data.detail || "That did not work. Try again."));
    }
    return data;
  }

  function say(place, text) {
    if (place) { place.textContent = text; }
  }

  function refusal(error) {
    // the browser's own refusals (the user cancelled, no authenticator) are DOMExceptions
    if (error && error.name === "NotAllowedError") {
      return "No passkey was used. Try again when you are ready.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This device already holds a passkey for your online ID.";
    }
    return (error && error.message) || "That did not work. Try again.";
  }

  function addPasskey(form) {
    const status = form.querySelector(".passkey-status");
    const unsupported = document.getElementById("passkey-unsupported");
    if (unsupported) { unsupported.hidden = true; }
    form.hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(status, "Follow your browser's prompts to make the passkey…");
      try {
        const started = await post(form.dataset.options, {
          current_password: form.elements.current_password.value });
        const credential = await navigator.credentials.create({
          publicKey: creationOptions(started.options) });
        await post(form.dataset.add, { challenge_id: started.challenge_id,
          credential: asJSON(credential), name: form.elements.name.value.trim() });
        window.location.assign(form.dataset.done);
      } catch (error) {
        say(status, refusal(error));
      }
    });
  }

  async function answer(url, purpose) {
    const started = await post(url, { purpose });
    const credential = await navigator.credentials.get({
      publicKey: requestOptions(started.options) });
    return { challenge_id: started.challenge_id, credential: asJSON(credential) };
  }

  function signIn(place) {
    const status = place.querySelector(".passkey-status");
    place.hidden = false;
    place.querySelector("button").addEventListener("click", async () => {
      say(status, "Follow your browser's prompts to use your passkey…");
      try {
        const found = await answer(place.dataset.options, "sign_in");
        const done = await post(place.dataset.signIn, Object.assign(found, {
          next: place.dataset.next }));
        window.location.assign(done.redirect);
      } catch (error) {
        say(status, refusal(error));
      }
    });
  }

  function secondStep(button) {
    const form = button.form;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const found = await answer(button.dataset.options, "second_step");
        form.querySelector("#passkey-answer").value = JSON.stringify(found);
        form.querySelector("[name=totp_code]").value = "";
        form.submit();
      } catch (error) {
        const status = document.querySelector("#passkey-sign-in .passkey-status");
        say(status, refusal(error));
      }
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) { return; }
  const add = document.getElementById("passkey-add-form");
  if (add) { addPasskey(add); }
  const withPasskey = document.getElementById("passkey-sign-in");
  if (withPasskey) { signIn(withPasskey); }
  const second = document.getElementById("passkey-second-step");
  if (second) { secondStep(second); }
})();
