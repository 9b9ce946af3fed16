// A reference photo taken at the office with the browser camera (issue 13): for each
// [data-office-camera] block, "Open the camera" shows the camera, "Take the photo" draws one
// frame on a canvas and puts it in the form's `office_photo` file input as a JPEG. The server
// checks it like an ID-card photo. A strict CSP: this file, no inline script.
(function () {
  "use strict";

  function setUp(block) {
    var video = block.querySelector(".camera-view");
    var canvas = block.querySelector(".camera-shot");
    var start = block.querySelector(".camera-start");
    var take = block.querySelector(".camera-take");
    var input = block.querySelector(".office-photo");
    var status = block.querySelector(".camera-status");
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      take.disabled = true;
    }

    start.addEventListener("click", function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = block.dataset.noCamera;
        return;
      }
      navigator.mediaDevices
        .getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          canvas.hidden = true;
          video.onloadeddata = function () { take.disabled = false; };
        })
        .catch(function () { status.textContent = block.dataset.noCamera; });
    });

    take.addEventListener("click", function () {
      if (!video.videoWidth) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var file = new File([blob], "office-photo.jpg", { type: "image/jpeg" });
        var files = new DataTransfer();
        files.items.add(file);
        input.files = files.files;
        canvas.hidden = false;
        stop();
        status.textContent = block.dataset.taken;
        var form = block.closest("form");
        var route = form && form.querySelector("input[name=route][value=office_camera]");
        if (route) route.checked = true;
        block.dispatchEvent(new CustomEvent("office-photo-taken", { bubbles: true }));
      }, "image/jpeg", 0.92);
    });
  }

  // The enrolment form: a refused card photo opens the ways on (#photo-ways).
  document.addEventListener("htmx:afterSwap", function (event) {
    var ways = document.getElementById("photo-ways");
    if (ways && event.target.id === "photo-check" && event.target.querySelector(".refused")) {
      ways.open = true;
    }
  });

  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-office-camera]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
