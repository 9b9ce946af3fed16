"""A person checking in on the phone page, step by step, as Playwright drives it.

`check_in_on_phone` taps through the page the way a person would (identify, wait for the
camera, tap record as soon as it is enabled, follow the instructions, wait for the result),
saves a screenshot of each step, and returns what happened: the page's own timeline (when the
camera opened, when recording began), the bytes of the upload, the network log of the page.
The only things it changes on the way: the answer to POST /challenge arrives after a fixed
latency, and the page's XMLHttpRequest keeps a reference to the clip it sends.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.waits import wait_until

# Chrome DevTools' "Slow 3G" preset (bytes per second, milliseconds).
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1024 / 8 * 0.8,
    "uploadThroughput": 500 * 1024 / 8 * 0.8,
}
PAGE_TYPES = ("Document", "Stylesheet", "Script")
# DevTools does not carry the bytes of a Blob in a request body, so the test keeps a reference
# to the clip the page hands to XMLHttpRequest (test instrumentation; the page is unchanged).
KEEP_UPLOAD = """
(() => {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    if (body instanceof FormData && body.get("clip")) window.__uploadedClip = body.get("clip");
    return send.call(this, body);
  };
})();
"""
READ_UPLOAD = """async () => {
  const bytes = new Uint8Array(await window.__uploadedClip.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}"""

# The receipt of a verified check-in as the person sees it: each line's text, whether the
# result is the large success state, and the tick drawn before its headline.
READ_RECEIPT = """() => {
  const receipt = document.getElementById("receipt");
  if (!receipt || receipt.hidden || receipt.offsetParent === null) return null;
  const text = (id) => document.getElementById(id).textContent;
  const result = document.getElementById("result");
  return {
    reference: text("receipt-reference"), time: text("receipt-time"),
    due: text("receipt-due"), next: text("receipt-next"),
    reviewed: document.getElementById("receipt-reviewed").hidden ? null : text("receipt-reviewed"),
    success: document.getElementById("step-result").classList.contains("success"),
    tick: getComputedStyle(result, "::before").content,
    headline_px: parseFloat(getComputedStyle(result).fontSize),
  };
}"""


@dataclass
class NetworkLog:
    """Every request the page made, from the DevTools protocol: type, URL, bytes on the wire
    (headers and body, as received), and when it started and finished."""

    requests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {}).update(
            url=event["request"]["url"],
            method=event["request"]["method"],
            type=event.get("type", "Other"),
            started=event["timestamp"],
            wall=event["wallTime"],
        )

    def _received(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {}).update(
            status=event["response"]["status"], type=event.get("type", "Other")
        )

    def _finished(self, event: dict[str, Any]) -> None:
        self.requests.setdefault(event["requestId"], {}).update(
            bytes=int(event["encodedDataLength"]), finished=event["timestamp"]
        )

    def finished(self, method: str, path_end: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requests.values()
            if r.get("method") == method and r.get("url", "").endswith(path_end) and "bytes" in r
        ]


@dataclass
class PhoneRun:
    timeline: dict[str, Any]  # window.checkinTimeline: camera, recordings (ms)
    result: str  # the text the person reads at the end
    page_weight: dict[str, Any]
    upload: bytes  # the clip the page uploaded (webm from MediaRecorder)
    upload_seconds: float  # from the upload's request to its response
    screenshots: list[Path]
    widest_px: int  # the page's widest scroll width over the steps (wider = sideways scrolling)
    retry_offered: bool  # the "try again" button is on screen at the end
    seconds: dict[str, float]  # wall time of each phase, for the report
    challenge: dict[str, Any]  # the POST /challenge request, from the network log
    receipt: dict[str, Any] | None = None  # the receipt on screen (READ_RECEIPT), if any

    @property
    def offset_s(self) -> float:
        """Seconds from the camera opening to the recording starting, by the page's clock."""
        return (self.timeline["recordings"][0] - self.timeline["camera"]) / 1000

    def offset_parts(self) -> dict[str, float]:
        """`offset_s` taken apart: camera open -> the tap's request leaves, the request (and
        of that the server's own time), its answer -> recording (the 3 s countdown)."""
        camera = (self.timeline["origin"] + self.timeline["camera"]) / 1000
        recording = (self.timeline["origin"] + self.timeline["recordings"][0]) / 1000
        sent = self.challenge["wall"]
        took = self.challenge["finished"] - self.challenge["started"]
        return {
            "tap_s": round(sent - camera, 3),
            "challenge_s": round(took, 3),
            "challenge_server_s": round(self.challenge["server_s"], 3),
            "countdown_s": round(recording - sent - took, 3),
        }


def check_in_on_phone(
    page: Any,
    url: str,
    birth: str,
    last4: str,
    out: Path,
    *,
    challenge_latency_s: float,
    throttle: dict[str, Any] | None = None,
    result_timeout_s: float = 180,
) -> PhoneRun:
    """Go through the check-in page at ``url``; screenshots NN-step.png go to ``out``.

    The answer to POST /challenge (the real server's) reaches the page ``challenge_latency_s``
    after the request, as on a network with that latency: the fake camera's clip needs the
    recording to start a known time after the camera opens, and the server's own time for
    that request varies with the machine's load (0.05-0.5 s seen)."""
    cdp = page.context.new_cdp_session(page)
    network = NetworkLog()
    network.attach(cdp)
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    page.add_init_script(KEEP_UPLOAD)
    served: list[float] = []  # the server's own time for POST /challenge
    page.route("**/challenge", lambda route: _answer_after(route, challenge_latency_s, served))
    shots: list[Path] = []
    widths: list[int] = []
    seconds: dict[str, float] = {}
    clock = time.monotonic()

    def shot(name: str) -> None:
        path = out / f"{len(shots) + 1:02d}-{name}.png"
        # CSS-pixel size: a full 2x capture costs the browser enough CPU to drop frames
        # from a recording in progress.
        page.screenshot(path=path, scale="css")
        shots.append(path)
        widths.append(page.evaluate("document.documentElement.scrollWidth"))

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        seconds[name] = round(now - clock, 2)
        clock = now

    page.goto(url, wait_until="load")
    lap("page_load")
    shot("intro")
    fill_birth_date(page, birth)
    page.locator("input[name=national_id_last4]").fill(last4)
    shot("identify-filled")
    weight = page_weight(network, page)
    page.locator("#identify button[type=submit]").tap()
    # Tap record the moment the page enables it: the clip's lead-in is timed from the camera
    # opening, so every pause here would shift the challenge against the clip.
    # The button is found where it is once enabled: the page's layout moves while the answer
    # to identify arrives, and a tap where the button was before lands beside it (1 run in 5).
    record = page.locator("#record")
    # Even once enabled it can still move for a frame or two (a tap there missed in 2 of 5
    # camera tests of one clean-clone run): Playwright's own tap waits until the button is
    # stable and would receive the tap itself, then taps its centre.
    wait_until(page, "!document.getElementById('record').disabled", raf=True)
    record.tap()
    wait_until(page, "document.getElementById('record').disabled", timeout=5_000)
    lap("identify_and_camera")
    # The person then scrolls back up to see their face and the instructions under it (at
    # 360x640 the preview, the instructions and the button do not fit on one screen).
    page.locator("#preview").evaluate("e => e.scrollIntoView({block: 'start'})")
    wait_until(page, "document.getElementById('preview').videoWidth > 0")
    shot("camera-preview")
    messages = json.loads(page.locator("#messages").text_content() or "{}")
    actions = [text for key, text in messages.items() if key.startswith("action_")]
    wait_until(
        page,
        "texts => texts.includes(document.getElementById('instruction').textContent)",
        actions,
        timeout=30_000,
    )
    shot("recording-instruction")
    page.locator("#step-upload").wait_for(state="visible", timeout=30_000)
    lap("countdown_and_recording")
    shot("uploading")
    page.locator("#step-result").wait_for(state="visible", timeout=result_timeout_s * 1000)
    lap("upload_and_verification")
    shot("result")
    receipt = page.evaluate(READ_RECEIPT)
    if receipt is not None:  # the whole success panel, below the fold too
        path = out / f"{len(shots) + 1:02d}-receipt.png"
        page.locator("#step-result").screenshot(path=path, scale="css")
        shots.append(path)
    timeline = page.evaluate("window.checkinTimeline")
    timeline["origin"] = page.evaluate("performance.timeOrigin")
    sent = network.finished("POST", "/attempts")
    assert sent and page.evaluate("!!window.__uploadedClip"), "the page never uploaded a clip"
    return PhoneRun(
        timeline=timeline,
        result=page.locator("#result").text_content() or "",
        page_weight=weight,
        upload=base64.b64decode(page.evaluate(READ_UPLOAD)),
        upload_seconds=round(sent[0]["finished"] - sent[0]["started"], 2),
        screenshots=shots,
        widest_px=max(widths),
        retry_offered=page.locator("#retry").is_visible(),
        challenge=network.finished("POST", "/challenge")[0] | {"server_s": served[0]},
        seconds=seconds,
        receipt=receipt,
    )


def fill_birth_date(page: Any, birth: str) -> None:
    """Pick the date of birth (``YYYY-MM-DD``) as a person does on the page: the day, the
    month by its name, the year typed in the Buddhist era."""
    year, month, day = (int(part) for part in birth.split("-"))
    page.locator("select[name=birth_day]").select_option(str(day))
    page.locator("select[name=birth_month]").select_option(str(month))
    page.locator("input[name=birth_year]").fill(str(year + 543))


def page_weight(network: NetworkLog, page: Any) -> dict[str, Any]:
    """What the page cost before any video: per file, bytes on the wire (DevTools'
    encodedDataLength, headers included) and body bytes (Resource Timing's encodedBodySize)."""
    bodies = page.evaluate(
        """() => Object.fromEntries(performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource'))
            .map(e => [e.name, e.encodedBodySize]))"""
    )
    files = [
        {
            "url": r["url"],
            "type": r["type"],
            "transfer_bytes": r["bytes"],
            "body_bytes": bodies.get(r["url"]),
        }
        for r in network.requests.values()
        if r.get("type") in PAGE_TYPES and "bytes" in r
    ]
    return {
        "files": files,
        "transfer_bytes": sum(f["transfer_bytes"] for f in files),
        "body_bytes": sum(f["body_bytes"] or 0 for f in files),
    }


def _answer_after(route: Any, latency_s: float, served: list[float]) -> None:
    """Fetch the real answer, hand it to the page ``latency_s`` after the request came."""
    asked = time.monotonic()
    response = route.fetch()
    served.append(time.monotonic() - asked)
    time.sleep(max(0.0, latency_s - (time.monotonic() - asked)))
    route.fulfill(response=response)
