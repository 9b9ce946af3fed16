// The person's requests to their officer, on the link page (docs/requests.md): shown once the
// person has confirmed who they are; a form with large targets, dates as Thai people write
// them (day, month name, Buddhist-era year), and the list of their requests with each status.
"use strict";
(function () {
  var section = document.getElementById("requests");
  if (!section) return;
  var body = document.body;
  var base = "/c/" + encodeURIComponent(body.dataset.code);
  var w = JSON.parse(document.getElementById("request-words").textContent);
  var form = document.getElementById("request-form");
  var list = document.getElementById("my-requests");
  var attachments = [];
  var uploading = false;
  var limits = null;

  function message(payload) {
    if (payload && payload.extra && payload.extra.length) {
      var e = payload.extra[0];
      return body.dataset.lang === "th" ? (e.message_th || e.message) : e.message;
    }
    return (payload && payload.detail) || w.network_error;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function thaiDate(iso) {
    // 2026-12-03 -> 3 ธันวาคม 2569 (or 3 December 2569 (2026))
    var p = iso.split("-").map(Number);
    var text = p[2] + " " + w.months[p[1] - 1] + " " + (p[0] + 543);
    return body.dataset.lang === "th" ? text : text + " (" + p[0] + ")";
  }
  function fillDate(set, firstYear, lastYear) {
    var day = set.querySelector("select[name$=_day]");
    var month = set.querySelector("select[name$=_month]");
    var year = set.querySelector("select[name$=_year]");
    [day, month, year].forEach(function (s) { while (s.options.length > 1) s.remove(1); });
    for (var d = 1; d <= 31; d++) day.add(new Option(String(d), String(d)));
    w.months.forEach(function (name, i) { month.add(new Option(name, String(i + 1))); });
    for (var y = firstYear; y <= lastYear; y++) year.add(new Option(String(y + 543), String(y)));
  }
  function dateOf(set) {
    // The chosen day as YYYY-MM-DD; "" when none is chosen; null when it is no real day.
    var get = function (suffix) { return set.querySelector("select[name$=" + suffix + "]").value; };
    var d = get("_day"), m = get("_month"), y = get("_year");
    if (!d && !m && !y) return "";
    if (!d || !m || !y) return null;
    var when = new Date(Date.UTC(+y, +m - 1, +d));
    if (when.getUTCMonth() !== +m - 1) return null;
    return y + "-" + pad(+m) + "-" + pad(+d);
  }
  function showKind(kind) {
    section.querySelectorAll("[data-for]").forEach(function (el) {
      var f = el.dataset.for;
      el.hidden = !(f === kind || f === "text");
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () { showKind(radio.value); });
  });

  function render(requests) {
    list.textContent = "";
    if (!requests.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = w.none_yet;
      list.appendChild(none);
      return;
    }
    requests.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "request status-" + r.status;
      li.dataset.id = r.id;
      var title = document.createElement("strong");
      title.textContent = w.kind[r.kind] || r.kind;
      var status = document.createElement("span");
      status.className = "badge";
      status.textContent = w.status[r.status] || r.status;
      var when = document.createElement("small");
      when.textContent = thaiDate(r.created_at.slice(0, 10));
      li.append(title, " ", status, " ", when);
      if (r.new_date) {
        var nd = document.createElement("p");
        nd.className = "new-date";
        nd.textContent = w.new_date + " " + thaiDate(r.new_date);
        li.appendChild(nd);
      }
      if (r.outcome_note) {
        var note = document.createElement("p");
        note.textContent = w.officer_note + " " + r.outcome_note;
        li.appendChild(note);
      }
      if (r.attachments && r.attachments.length) {
        var sentFiles = document.createElement("p");
        sentFiles.className = "files";
        sentFiles.textContent = w.files + " " + r.attachments.map(function (a) { return a.name; }).join(", ");
        li.appendChild(sentFiles);
      }
      list.appendChild(li);
    });
  }

  function load() {
    return fetch(base + "/requests", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return;
      return r.json().then(function (data) {
        limits = data;
        var first = +data.earliest_new_date.slice(0, 4), last = +data.latest_new_date.slice(0, 4);
        fillDate(section.querySelector("[data-name=proposed_date]"), first, last);
        var now = new Date().getFullYear();
        fillDate(section.querySelector("[data-name=away_from]"), now, now + 1);
        fillDate(section.querySelector("[data-name=away_to]"), now, now + 1);
        section.querySelector(".limits").textContent = w.between
          .replace("%(first)s", thaiDate(data.earliest_new_date))
          .replace("%(last)s", thaiDate(data.latest_new_date));
        render(data.requests);
        section.hidden = false;
      });
    }, function () {});
  }

  // Attachments, where the uploader is on the page (upload.js): resumable, one file a time.
  if (window.BailUpload) {
    document.getElementById("attachments").hidden = false;
    form.file.addEventListener("change", function () {
      var file = form.file.files[0];
      if (!file || uploading) return;
      var bar = document.getElementById("attachment-progress");
      var state = document.getElementById("attachment-state");
      var button = form.querySelector("button[type=submit]");
      uploading = true;
      button.disabled = true;
      form.file.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      state.textContent = w.uploading;
      window.BailUpload.upload(file, {
        code: body.dataset.code,
        onProgress: function (done) { bar.value = Math.round(done * 100); },
        onWaiting: function (waiting) { state.textContent = waiting ? w.reconnecting : w.uploading; }
      }).then(function (made) {
        attachments.push(made.id);
        var item = document.createElement("li");
        item.textContent = file.name;
        document.getElementById("attached-files").appendChild(item);
        state.textContent = w.uploaded + ": " + file.name;
      }, function (error) {
        state.textContent = error.message || w.network_error;
      }).then(function () {
        uploading = false;
        button.disabled = false;
        form.file.disabled = attachments.length >= 5;
        form.file.value = "";
        bar.hidden = true;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = form.querySelector(".error");
    var sent = form.querySelector(".sent");
    error.hidden = true;
    sent.hidden = true;
    if (uploading) { error.textContent = w.wait_upload; error.hidden = false; return; }
    var kind = (form.querySelector("input[name=kind]:checked") || {}).value;
    if (!kind) { error.textContent = w.choose_kind; error.hidden = false; return; }
    var data = { kind: kind, text: form.text.value };
    var dates = { cant_come: ["proposed_date"], away: ["away_from", "away_to"] }[kind] || [];
    for (var i = 0; i < dates.length; i++) {
      var value = dateOf(section.querySelector("[data-name=" + dates[i] + "]"));
      if (value === null) { error.textContent = w.bad_date; error.hidden = false; return; }
      if (value) data[dates[i]] = value;
    }
    if (kind === "cant_come") data.reason = form.reason.value;
    if (kind === "need_help") data.help_kind = form.help_kind.value;
    if (kind === "away") data.province = form.province.value;
    if (kind === "phone_changed") data.new_phone = form.new_phone.value;
    if (attachments.length) data.attachment_ids = attachments.slice();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(base + "/requests", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        button.disabled = false;
        if (!r.ok) { error.textContent = message(j); error.hidden = false; return; }
        sent.textContent = w.sent;
        sent.hidden = false;
        form.reset();
        attachments = [];
        document.getElementById("attached-files").textContent = "";
        if (form.file) form.file.disabled = false;
        showKind("");
        load();
      });
    }, function () { button.disabled = false; error.textContent = w.network_error; error.hidden = false; });
  });

  document.addEventListener("bail:identified", load);
  load();
})();
