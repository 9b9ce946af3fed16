// The check-in page: identify, camera with an oval guide, a server-issued challenge, a short
// recording (MediaRecorder webm, or JPEG frames from a canvas where MediaRecorder is missing),
// a resumable upload with a progress bar, and the result in plain words. No library.
"use strict";
(function () {
  var body = document.body;
  var code = body.dataset.code;
  var t = JSON.parse(document.getElementById("messages").textContent);
  var base = "/c/" + encodeURIComponent(code);
  var stream = null;
  var location = null;
  // When the camera started and each recording began (ms, performance.now()), for support.
  var timeline = window.checkinTimeline = { camera: null, recordings: [] };

  function $(id) { return document.getElementById(id); }
  function show(id) {
    ["step-intro", "step-camera", "step-upload", "step-result"].forEach(function (s) {
      $(s).hidden = s !== id;
    });
  }
  function message(payload) {
    // Server errors carry English and Thai; show the page's language.
    if (payload && payload.extra && payload.extra.length) {
      var e = payload.extra[0];
      return body.dataset.lang === "th" ? (e.message_th || e.message) : e.message;
    }
    return (payload && (body.dataset.lang === "th" ? payload.message_th : payload.message)) ||
      (payload && payload.detail) || t.network_error;
  }
  function postJSON(path, data) {
    return fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(data || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    });
  }

  function notice(r) {
    var n = document.querySelector(".more .notice");
    n.textContent = r.ok ? t.saved : message(r.body);
    n.hidden = false;
  }
  // SMS settings are the identified person's own: the stop button shows once they have
  // confirmed who they are. "This is not me" needs no identity (a bystander has none to prove).
  var identified = false;
  if ($("stop-sms")) {
    $("stop-sms").addEventListener("click", function () { postJSON("/preferences", { sms_opt_out: true }).then(notice); });
  }
  if ($("not-me")) {
    $("not-me").addEventListener("click", function () { postJSON("/not-me", {}).then(notice); });
  }
  // Once identified, switching language also becomes the language of the person's SMS
  // (audited on the server); before that it only changes the page.
  var switcher = document.querySelector("header .lang");
  switcher.addEventListener("click", function (event) {
    if (!identified) return;
    event.preventDefault();
    var href = switcher.getAttribute("href");
    postJSON("/preferences", { language: switcher.dataset.lang }).then(
      function () { window.location.href = href; }, function () { window.location.href = href; });
  });
  if (!$("identify")) return;  // the link is not open: the page only shows why

  // 1. Who is checking in. The date of birth as Thai people write it: day, month by name,
  // year in the Buddhist era (a Christian-era year is understood and said so); a day the
  // calendar does not have is refused here, before anything is sent.
  var identifyForm = $("identify");
  var FIRST_BE = +identifyForm.dataset.firstBe;  // thai_dates.FIRST_BUDDHIST_YEAR
  var EARLIEST = +identifyForm.dataset.earliest;  // thai_dates.EARLIEST_DATE's year
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  }
  function typedYear(form) {
    // Thai digits (๒๕๓๓) are digits too.
    return form.birth_year.value.trim().replace(/[\u0E50-\u0E59]/g, function (c) {
      return String(c.charCodeAt(0) - 0x0E50);
    });
  }
  function christianYear(year) { return year > FIRST_BE ? year - 543 : year; }
  function birthDate(form) {
    // {value: "YYYY-MM-DD"} or {error: the words, field: the control to fix}.
    var day = +form.birth_day.value, month = +form.birth_month.value, typed = typedYear(form);
    if (!day) return { error: t.birth_day_missing, field: form.birth_day };
    if (!month) return { error: t.birth_month_missing, field: form.birth_month };
    if (!/^[0-9]{4}$/.test(typed)) return { error: t.birth_year_digits, field: form.birth_year };
    var year = christianYear(+typed), now = new Date();
    if (year < EARLIEST || year > now.getFullYear()) {
      return {
        error: fill(t.birth_year_range, { first: EARLIEST + 543, last: now.getFullYear() + 543 }),
        field: form.birth_year
      };
    }
    var when = new Date(Date.UTC(year, month - 1, day));
    if (when.getUTCMonth() !== month - 1) {
      var name = form.birth_month.options[form.birth_month.selectedIndex].text;
      return { error: fill(t.no_such_day, { date: day + " " + name + " " + (year + 543) }), field: form.birth_day };
    }
    if (when.getTime() > now.getTime()) return { error: t.birth_future, field: form.birth_year };
    return { value: year + "-" + pad(month) + "-" + pad(day) };
  }
  identifyForm.birth_year.addEventListener("input", function () {
    var typed = typedYear(identifyForm), year = +typed;
    var ce = /^[0-9]{4}$/.test(typed) && year <= FIRST_BE && year >= EARLIEST;
    $("birth-year-hint").textContent = ce ? fill(t.ce_year, { ce: year, be: year + 543 }) : "";
  });
  identifyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var error = form.querySelector(".error");
    error.hidden = true;
    form.querySelectorAll("[aria-invalid]").forEach(function (c) { c.removeAttribute("aria-invalid"); });
    var born = birthDate(form);
    if (born.error) {
      error.textContent = born.error; error.hidden = false;
      born.field.setAttribute("aria-invalid", "true");
      born.field.focus();
      return;
    }
    postJSON("/identify", {
      date_of_birth: born.value,
      national_id_last4: form.national_id_last4.value
    }).then(function (r) {
      if (!r.ok) { error.textContent = message(r.body); error.hidden = false; return; }
      identified = true;
      if ($("stop-sms")) $("stop-sms").hidden = false;
      // The person's requests (requests.js) open now, whatever the check-in's state.
      document.dispatchEvent(new CustomEvent("bail:identified"));
      if (body.dataset.done === "1") { $("step-intro").hidden = true; loadReceipt(); return; }
      if (body.dataset.open !== "1") { $("step-intro").hidden = true; return; }
      show("step-camera");
      startCamera();
    }, function () { error.textContent = t.network_error; error.hidden = false; });
  });

  // The receipt of a verified check-in: after the recording, and whenever the person who
  // confirmed who they are opens the link again (a session cookie still valid skips the form).
  function loadReceipt() {
    return fetch(base + "/receipt?lang=" + body.dataset.lang, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) return;
        return r.json().then(function (receipt) {
          identified = true;
          if ($("stop-sms")) $("stop-sms").hidden = false;
          result({ outcome: "verified", receipt: receipt });
        });
      }, function () {});
  }
  function showReceipt(receipt) {
    $("receipt-reference").textContent = receipt.reference;
    $("receipt-time").textContent = receipt.checked_in_text;
    $("receipt-due").textContent = receipt.due_date_text;
    $("receipt-next").textContent = receipt.last ? t.last_one : receipt.next_due_text;
    $("receipt-reviewed").textContent = receipt.accepted_text ? fill(t.accepted_after_review, { time: receipt.accepted_text }) : "";
    $("receipt-reviewed").hidden = !receipt.accepted_text;
    $("receipt").hidden = false;
  }
  if (body.dataset.done === "1") loadReceipt();

  // 2. Camera, with feedback before recording.
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("feedback").textContent = t.no_camera; return;
    }
    navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false
    }).then(function (s) {
      stream = s;
      timeline.camera = performance.now();
      var video = $("preview");
      video.srcObject = s;
      video.play();
      $("record").disabled = false;
      watchLight(video);
    }, function () { $("feedback").textContent = t.camera_denied; });
  }

  function watchLight(video) {
    var canvas = document.createElement("canvas");
    canvas.width = 32; canvas.height = 24;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    var timer = setInterval(function () {
      if (!stream) { clearInterval(timer); return; }
      if (!video.videoWidth) return;
      ctx.drawImage(video, 0, 0, 32, 24);
      var px = ctx.getImageData(0, 0, 32, 24).data, sum = 0, centre = 0, n = 0;
      for (var i = 0; i < px.length; i += 4) {
        var y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
        sum += y;
        var p = i / 4, x = p % 32, row = Math.floor(p / 32);
        if (x > 10 && x < 22 && row > 5 && row < 19) { centre += y; n += 1; }
      }
      var mean = sum / (px.length / 4);
      if (mean < 50) $("feedback").textContent = t.too_dark;
      else if (centre / n < 40) $("feedback").textContent = t.not_centred;
      else $("feedback").textContent = t.ready;
    }, 500);
  }

  // 3. The challenge and the recording.
  // The camera's picture goes with the request, so a mask or dark glasses are asked off
  // before recording (the server answers 422 with what to take off).
  function snapshot() {
    var video = $("preview");
    if (!video.videoWidth) return null;
    var canvas = document.createElement("canvas");
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    try { return canvas.toDataURL("image/jpeg", 0.8); } catch (err) { return null; }
  }

  $("record").addEventListener("click", function () {
    $("record").disabled = true;
    var frame = snapshot();
    postJSON("/challenge", frame ? { frame: frame } : {}).then(function (r) {
      if (!r.ok) { $("feedback").textContent = message(r.body); $("record").disabled = false; return; }
      countdown(3, function () { record(r.body); });
    }, function () { $("feedback").textContent = t.network_error; $("record").disabled = false; });
  });

  function countdown(n, then) {
    if (n === 0) { then(); return; }
    $("instruction").textContent = String(n);
    setTimeout(function () { countdown(n - 1, then); }, 1000);
  }

  function record(challenge) {
    var duration = 0.5 + challenge.steps.reduce(function (m, s) { return Math.max(m, s.end_s); }, 0);
    var started = performance.now();
    timeline.recordings.push(started);
    var recorder = null, chunks = [], frames = [];
    var type = ["video/webm;codecs=vp8", "video/webm", "video/mp4"].filter(function (m) {
      return window.MediaRecorder && MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(m);
    })[0];
    if (type) {
      recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 900000 });
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.start(500);
    } else {
      grabFrames(frames, started, duration);
    }
    var tick = setInterval(function () {
      var s = (performance.now() - started) / 1000;
      var step = challenge.steps.filter(function (st) { return s >= st.start_s && s < st.end_s; })[0];
      $("instruction").textContent = step ? t["action_" + step.action] : t.hold_still;
      if (s >= duration) {
        clearInterval(tick);
        $("instruction").textContent = "";
        if (recorder) {
          recorder.onstop = function () {
            upload(challenge, { clip: new Blob(chunks, { type: type.split(";")[0] }) });
          };
          recorder.stop();
        } else {
          upload(challenge, { frames: frames });
        }
      }
    }, 100);
  }

  function grabFrames(frames, started, duration) {
    var video = $("preview");
    var canvas = document.createElement("canvas");
    canvas.width = 640; canvas.height = 480;
    var ctx = canvas.getContext("2d");
    var timer = setInterval(function () {
      var s = (performance.now() - started) / 1000;
      if (s >= duration) { clearInterval(timer); return; }
      ctx.drawImage(video, 0, 0, 640, 480);
      canvas.toBlob(function (b) { if (b) frames.push({ t: s, blob: b }); }, "image/jpeg", 0.8);
    }, 80);  // about 12 frames a second
  }

  // 4. Upload: the same idempotency key on every retry, so a retry never makes a second attempt.
  function upload(challenge, media) {
    show("step-upload");
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    var form = new FormData();
    form.append("challenge_id", challenge.id);
    if (media.clip) form.append("clip", media.clip, "clip.webm");
    (media.frames || []).forEach(function (f) {
      form.append("frames", f.blob, "frame-" + Math.round(f.t * 1000) + ".jpg");
    });
    form.append("client", JSON.stringify({
      user_agent: navigator.userAgent, screen: [screen.width, screen.height], location: location
    }));
    send(form, key, 0);
  }

  function send(form, key, attempt) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", base + "/attempts");
    xhr.setRequestHeader("Idempotency-Key", key);
    xhr.timeout = 120000;
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) $("progress").value = 100 * e.loaded / e.total; };
    xhr.onload = function () {
      var payload = {};
      try { payload = JSON.parse(xhr.responseText); } catch (err) { payload = {}; }
      if (xhr.status >= 500 && attempt < 5) { retryLater(form, key, attempt); return; }
      if (xhr.status >= 400) { result({ outcome: "error", message: message(payload) }); return; }
      poll(payload.attempt_id, 0);
    };
    xhr.onerror = xhr.ontimeout = function () {
      if (attempt < 5) retryLater(form, key, attempt);
      else result({ outcome: "error", message: t.network_error });
    };
    xhr.send(form);
  }

  function retryLater(form, key, attempt) {
    var error = document.querySelector("#step-upload .error");
    error.textContent = t.retrying; error.hidden = false;
    setTimeout(function () { send(form, key, attempt + 1); }, 1000 * Math.pow(2, attempt));
  }

  // The verdict usually comes in seconds; if the server verifying it stops, another one takes
  // it over within a minute. The page keeps asking (less often as time goes by, and across a
  // dropped connection), says honestly when it takes long, and gives up only after 10 minutes.
  function poll(id, n, since) {
    since = since || Date.now();
    var waited = (Date.now() - since) / 1000;
    var checking = $("checking");
    checking.hidden = false;
    checking.textContent = waited < 20 ? t.checking : t.still_checking;
    if (waited > 600) { result({ outcome: "error", message: t.check_later, message_th: t.check_later }); return; }
    var again = function (ms) { setTimeout(function () { poll(id, n + 1, since); }, ms); };
    var every = waited < 20 ? 1000 : waited < 120 ? 2000 : 5000;
    fetch(base + "/attempts/" + encodeURIComponent(id) + "?lang=" + body.dataset.lang, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : { state: "processing" }; })
      .then(function (a) {
        if (a.state === "processing") { again(every); return; }
        checking.hidden = true;
        result(a);
      }, function () { again(Math.max(every, 2000)); });
  }

  // 5. The result in plain words; a verified check-in as a large success with its receipt.
  function result(a) {
    show("step-result");
    var text, success = !!a.receipt;
    $("step-result").classList.toggle("success", success);
    $("receipt").hidden = true;
    if (success) { text = t.verified; showReceipt(a.receipt); }
    else if (a.outcome === "verified") text = t.verified + (a.next_due_text ? " " + t.next_due + " " + a.next_due_text : " " + t.last_one);
    else if (a.outcome === "review") text = t.review;
    else if (a.outcome === "retry") text = t.try_again + " " + message(a) + " (" + t.tries_left + " " + a.retries_left + ")";
    else text = message(a);
    $("result").textContent = text;
    $("retry").hidden = a.outcome !== "retry";
    if (success) $("step-result").scrollIntoView({ block: "start" });
  }
  $("retry").addEventListener("click", function () { show("step-camera"); $("record").disabled = false; });

  // Optional location, only with consent (offered while the link is open).
  if ($("share-location")) $("share-location").addEventListener("change", function (e) {
    if (!e.target.checked || !navigator.geolocation) { location = null; return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      location = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy };
    }, function () { e.target.checked = false; });
  });

})();
