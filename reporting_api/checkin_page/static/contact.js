// The person's trusted contact, on the link page (docs/requests.md): shown with the requests once
// the person has confirmed who they are; named with consent to the words shown, or withdrawn.
"use strict";
(function () {
  var box = document.getElementById("contact");
  if (!box) return;
  var body = document.body;
  var url = "/c/" + encodeURIComponent(body.dataset.code) + "/contact";
  var form = document.getElementById("contact-form");
  var state = document.getElementById("contact-state");
  var withdraw = document.getElementById("contact-withdraw");
  var error = form.querySelector(".error");

  function message(payload) {
    if (payload && payload.extra && payload.extra.length) {
      var e = payload.extra[0];
      return body.dataset.lang === "th" ? (e.message_th || e.message) : e.message;
    }
    return (payload && payload.detail) || "";
  }
  function show(contact) {
    document.getElementById("consent-text").textContent = contact.consent_text;
    if (contact.active) {
      state.textContent = box.dataset.current + " " + contact.name + " (" + contact.phone + ")";
    } else {
      state.textContent = contact.withdrawn_at ? box.dataset.withdrawn : box.dataset.none;
    }
    withdraw.hidden = !contact.active;
  }
  function call(method, data) {
    error.hidden = true;
    var options = { method: method, credentials: "same-origin" };
    if (data) {
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(data);
    }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { error.textContent = message(j); error.hidden = false; return null; }
        show(j);
        return j;
      });
    });
  }
  function load() { call("GET"); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    call("PUT", {
      name: form.elements.name.value, relationship: form.elements.relationship.value,
      phone: form.elements.phone.value, consent: form.elements.consent.checked
    }).then(function (saved) {
      if (saved) { form.reset(); state.textContent = box.dataset.saved + " " + state.textContent; }
    });
  });
  withdraw.addEventListener("click", function () { call("DELETE"); });
  document.addEventListener("bail:identified", load);
  load();
})();
