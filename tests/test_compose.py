"""compose.yaml is valid against the Compose specification and says what we rely on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    checker = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_matches_the_compose_spec():
    result = _validate(ROOT / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  api:\n    image: bail\n    replica_count: 2\n")
    assert _validate(broken).returncode != 0


def test_compose_runs_two_api_replicas_after_migrating_with_health_checks():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = spec["services"]
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["bail-checkin", "migrate"]
    for name in ("db", "api"):
        assert "healthcheck" in services[name], name
    assert services["api"]["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_compose_runs_two_scheduler_replicas_after_migrating():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    scheduler = spec["services"]["scheduler"]
    assert scheduler["deploy"]["replicas"] == 2
    assert scheduler["command"][:2] == ["bail-checkin", "scheduler"]
    assert scheduler["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert scheduler["environment"]["DATABASE_URL"].startswith("postgresql://")
    # Same Twilio settings as the API, which checks the signatures of Twilio's callbacks.
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        assert key in scheduler["environment"] and key in spec["services"]["api"]["environment"]
