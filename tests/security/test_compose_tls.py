"""Issue 11, finding 6 (transport): compose.yaml serves HTTPS by default and redirects HTTP.

The proxy is Caddy with deploy/Caddyfile: the site is PUBLIC_BASE_URL (an https:// address,
so Caddy gets and renews its certificate), `TLS_MODE=internal` switches to Caddy's local CA
for a closed network, and every plain-HTTP request is redirected to HTTPS. The file is read
here token by token; where the `caddy` binary is installed it also adapts and validates it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

CADDYFILE = ROOT / "deploy" / "Caddyfile"


class Directive:
    """One line of a Caddyfile: its words, and the lines of the block it opens."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.block: list[Directive] = []


def _parse(text: str) -> list[Directive]:
    """Caddyfile lines into nested directives (comments dropped; enough for this file)."""
    root: list[Directive] = []
    stack = [root]
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split() if not raw.lstrip().startswith("#") else []
        if not words:
            continue
        if words == ["}"]:
            stack.pop()
            continue
        opens = words[-1] == "{"
        directive = Directive(words[:-1] if opens else words)
        stack[-1].append(directive)
        if opens:
            stack.append(directive.block)
    assert len(stack) == 1, "unbalanced braces"
    return root


def _all_words(directives: list[Directive]) -> set[str]:
    words: set[str] = set()
    for directive in directives:
        words |= set(directive.words) | _all_words(directive.block)
    return words


def _sites() -> dict[str, Directive]:
    return {" ".join(d.words): d for d in _parse(CADDYFILE.read_text())}


def test_the_site_is_the_public_address_with_a_chosen_certificate_source():
    sites = _sites()
    site = sites["{$PUBLIC_BASE_URL}"]
    lines = [d.words for d in site.block]
    assert ["import", "tls-{$TLS_MODE:public}"] in lines
    # Every API replica (looked up by name), and while one drains for a redeploy, another
    # one is tried (issue 15).
    [proxy] = [d for d in site.block if d.words[:1] == ["reverse_proxy"]]
    options = [d.words for d in proxy.block]
    [dynamic] = [d for d in proxy.block if d.words == ["dynamic", "a"]]
    assert {("name", "api"), ("port", "8000")} <= {tuple(d.words) for d in dynamic.block}
    assert ["lb_try_duration", "10s"] in options and ["health_uri", "/healthz"] in options
    # public: Caddy's automatic certificates (no tls line: its ACME issuers by default);
    # internal: its local CA.
    assert sites["(tls-public)"].block == []
    assert [d.words for d in sites["(tls-internal)"].block] == [["tls", "internal"]]
    # Nothing turns automatic HTTPS off, in the global options or anywhere else.
    assert "auto_https" not in _all_words(_parse(CADDYFILE.read_text()))


def test_plain_http_is_redirected_to_https():
    redirect = _sites()["http://"]
    assert [d.words for d in redirect.block] == [["redir", "https://{host}{uri}", "permanent"]]


def test_compose_runs_the_proxy_with_this_file_on_the_https_ports():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    proxy = spec["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "caddy-data:/data" in proxy["volumes"]  # certificates and the local CA survive
    assert proxy["environment"]["TLS_MODE"] == "${TLS_MODE:-public}"
    assert proxy["environment"]["PUBLIC_BASE_URL"].startswith("${PUBLIC_BASE_URL:?")
    # The API itself is published nowhere: only through the proxy.
    assert "ports" not in spec["services"]["api"]


def caddy() -> str:
    """Debian's caddy binary (`make test` installs it); a run under CI without it fails."""
    found = shutil.which("caddy")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no caddy binary: make test installs Debian's caddy package")
        pytest.skip("the caddy binary is not installed")
    return found


@pytest.mark.parametrize("mode", ["public", "internal"])
def test_caddy_accepts_the_file(mode):
    result = subprocess.run(
        [caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={**os.environ, "PUBLIC_BASE_URL": "https://checkin.example.go.th", "TLS_MODE": mode},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    servers = config["apps"]["http"]["servers"].values()
    https = next(s for s in servers if s["listen"] == [":443"])
    assert https["routes"][0]["match"] == [{"host": ["checkin.example.go.th"]}]
    http = next(s for s in servers if s["listen"] == [":80"])
    redirect = http["routes"][0]["handle"][0]
    assert redirect["status_code"] == 301
    assert redirect["headers"]["Location"] == ["https://{http.request.host}{http.request.uri}"]
    issuers = [
        issuer["module"]
        for policy in config["apps"].get("tls", {}).get("automation", {}).get("policies", [])
        for issuer in policy.get("issuers", [])
    ]
    assert issuers == (["internal"] if mode == "internal" else [])


def test_caddy_refuses_an_unknown_tls_mode():
    result = subprocess.run(
        [caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={**os.environ, "PUBLIC_BASE_URL": "https://checkin.example.go.th", "TLS_MODE": "off"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "tls-off" in result.stderr
