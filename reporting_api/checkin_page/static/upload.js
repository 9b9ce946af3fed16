// One file attached to a request, sent in chunks that survive a dropped connection
// (docs/requests.md, /c/<code>/uploads): each chunk carries its offset and SHA-256; after a
// network error the page asks the server where the upload stands and goes on from there, so a
// file is never sent twice. window.BailUpload.upload(file, {code, onProgress, onWaiting})
// resolves to {id, kind} once the server has checked the file, or rejects with the reason in
// the page's language.
"use strict";
(function () {
  if (!(window.crypto && window.crypto.subtle && window.fetch && Blob.prototype.arrayBuffer)) return;
  var MAX_WAITS = 60;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }
  function sha256(blob) {
    return blob.arrayBuffer().then(function (bytes) {
      return crypto.subtle.digest("SHA-256", bytes);
    }).then(hex);
  }
  function wait(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }
  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { ok: response.ok, status: response.status, body: body };
    });
  }
  function reason(body, lang) {
    if (body && body.extra && body.extra.length) {
      var e = body.extra[0];
      return { field: e.key, text: lang === "th" ? (e.message_th || e.message) : e.message };
    }
    return { field: null, text: (body && body.detail) || "" };
  }

  function upload(file, options) {
    var base = "/c/" + encodeURIComponent(options.code) + "/uploads";
    var lang = document.body.dataset.lang === "en" ? "en" : "th";
    var waits = 0, checks = 0;
    function refuse(text) { return Promise.reject(new Error(text)); }
    function ask(id) {
      return fetch(base + "/" + encodeURIComponent(id), { credentials: "same-origin", cache: "no-store" }).then(answer);
    }
    function reconnect(id) {
      // The network went: wait (longer each time), then ask where the upload stands.
      waits += 1;
      if (waits > MAX_WAITS) return refuse("");
      if (options.onWaiting) options.onWaiting(true);
      return wait(Math.min(500 * waits, 4000)).then(function () { return ask(id); }).then(function (r) {
        if (!r.ok) return refuse(reason(r.body, lang).text);
        if (options.onWaiting) options.onWaiting(false);
        return step(r.body);
      }, function () { return reconnect(id); });
    }
    function step(state) {
      if (options.onProgress) options.onProgress(state.offset / state.size);
      if (state.status === "ready") return { id: state.id, kind: state.kind };
      if (state.status === "refused") return refuse(lang === "th" ? state.reason_th : state.reason);
      if (state.status === "checking") {
        // The server gives a check up after ten minutes and says so; the page waits as long.
        if (++checks > 660) return refuse("");
        return wait(1000).then(function () { return ask(state.id); }).then(function (r) {
          return r.ok ? step(r.body) : refuse(reason(r.body, lang).text);
        }, function () { return reconnect(state.id); });
      }
      var chunk = file.slice(state.offset, Math.min(state.offset + state.chunk_size, state.size));
      return sha256(chunk).then(function (sum) {
        return fetch(base + "/" + encodeURIComponent(state.id), {
          method: "PATCH", credentials: "same-origin", body: chunk,
          headers: { "Upload-Offset": String(state.offset), "Chunk-SHA256": sum, "Content-Type": "application/octet-stream" }
        });
      }).then(answer).then(function (r) {
        if (r.ok) { waits = 0; return step(r.body); }
        var why = reason(r.body, lang);
        // Another offset expected, or the chunk damaged on the way: ask and go on.
        if (r.status === 409 || why.field === "Chunk-SHA256") return ask(state.id).then(function (a) { return step(a.body); });
        return refuse(why.text);
      }, function () { return reconnect(state.id); });
    }
    return fetch(base, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: file.name, size: file.size })
    }).then(answer).then(function (r) {
      return r.ok ? step(r.body) : refuse(reason(r.body, lang).text);
    });
  }

  window.BailUpload = { upload: upload };
})();
