"""Public-domain test photos, fetched on demand into a git-ignored cache (never committed).

face_recognition 1.3.0's source package on PyPI carries obama*.jpg and biden.jpg; scikit-image
bundles the astronaut picture. Used by the tests, `python -m liveness evaluate` and the bench.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "tests" / ".cache" / "faces"
SDIST = "face_recognition==1.3.0"
WANTED = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")


def cache_dir() -> Path:
    return Path(os.environ.get("LIVENESS_SAMPLES_DIR", DEFAULT_CACHE))


def sample_photos(directory: Path | None = None) -> dict[str, Path]:
    """Paths of obama, obama2, obama3, biden (.jpg) and astronaut (.png)."""
    directory = directory or cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if not all((directory / name).exists() for name in WANTED):
        _fetch_sdist_images(directory)
    astronaut = directory / "astronaut.png"
    if not astronaut.exists():
        _save_astronaut(astronaut)
    paths = {name.removesuffix(".jpg"): directory / name for name in WANTED}
    paths["astronaut"] = astronaut
    return paths


def _fetch_sdist_images(directory: Path) -> None:
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--no-build-isolation",
                SDIST,
                "-d",
                download,
            ],
            check=True,
            timeout=300,
        )
        archive = next(Path(download).glob("face_recognition-1.3.0.tar.gz"))
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if "/tests/test_images/" in member.name and name in WANTED:
                    source = tar.extractfile(member)
                    assert source is not None
                    _write_atomically(directory / name, source.read())
    missing = [name for name in WANTED if not (directory / name).exists()]
    if missing:
        raise FileNotFoundError(f"{SDIST} did not contain {missing}")


def _write_atomically(path: Path, content: bytes) -> None:
    """Another process (a parallel test worker) sees the whole file or none of it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _save_astronaut(path: Path) -> None:
    import cv2
    from skimage import data

    ok, encoded = cv2.imencode(".png", cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    assert ok, "OpenCV could not encode the astronaut image"
    _write_atomically(path, encoded.tobytes())
