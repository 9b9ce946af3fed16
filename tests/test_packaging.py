"""The installed package carries every file the service reads at run time (the container image
installs it with `pip install .`, not from the source tree): templates, static files, the
gettext catalogs, the offices' data and the migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT

RUNTIME_SUFFIXES = {".html", ".css", ".js", ".po", ".json", ".py"}
PACKAGES = ("reporting_api", "admin_ui", "scheduler", "liveness")


def _runtime_files() -> set[str]:
    """The packages' files as they are in this tree (what a checkout would install)."""
    return {
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.suffix in RUNTIME_SUFFIXES
        and not {"frontend", "__pycache__", "node_modules"} & set(path.parts)
    }


def test_the_wheel_holds_every_file_the_service_reads(tmp_path):
    # Built from a copy, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "*.egg-info")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "--wheel-dir", str(tmp_path / "wheel"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_runtime_files() - inside)
    assert not missing, f"not in the wheel: {missing}"
    # Built by `make` from the npm registry, not committed: packaged when present.
    vendor = "admin_ui/static/vendor/htmx.min.js"
    assert vendor in inside or not (ROOT / vendor).exists()
