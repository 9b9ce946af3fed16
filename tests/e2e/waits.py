"""Waiting for a condition in a page that runs under our Content-Security-Policy.

Playwright's `page.wait_for_function` builds its predicate with `new Function` inside the
page, which a policy without 'unsafe-eval' refuses (as ours does, and should). `wait_until`
polls the same kind of predicate from one `page.evaluate` call instead: Playwright hands the
function to the browser through the DevTools protocol, which the page's policy does not govern,
so the pages are tested under the very policy they are served with.
"""

from __future__ import annotations

from typing import Any

_POLL = """async ([arg, timeoutMs, everyFrame]) => {
  const predicate = %s;
  const deadline = performance.now() + timeoutMs;
  const pause = () => new Promise((done) =>
    everyFrame ? requestAnimationFrame(() => done()) : setTimeout(done, 100));
  while (!predicate(arg)) {
    if (performance.now() > deadline) return false;
    await pause();
  }
  return true;
}"""


def wait_until(
    page: Any, predicate: str, arg: Any = None, *, timeout: float = 30_000, raf: bool = False
) -> None:
    """Wait until the JavaScript function `predicate(arg)` returns true in the page, checking
    on every animation frame (`raf`) or every 100 ms; fail after `timeout` milliseconds."""
    if not predicate.lstrip().startswith(("(", "function")) and "=>" not in predicate:
        predicate = f"() => ({predicate})"
    if not page.evaluate(_POLL % predicate, [arg, timeout, raf]):
        raise AssertionError(f"timed out after {timeout:.0f} ms waiting for {predicate}")
