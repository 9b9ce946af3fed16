"""`python -m liveness evaluate-pairs` end to end on the cached public photos: an ID-card crop
of obama (and a blank card the library refuses), probes of the same person (his other photos,
and a mirrored, dimmed, shrunk, recompressed copy of the card's source) and of others (biden,
the astronaut). The age groups and sexes (the service's own bands and values,
reporting_api.demographics) are made up to exercise the grouping."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from liveness.cli import main
from liveness.eval_set import id_photo_jpeg
from liveness.types import Challenge, Frame

PAIRS = """card,probe,same,age_group,sex
cards/obama.jpg,probes/obama2.jpg,yes,35-44,male
cards/obama.jpg,probes/obama3.jpg,1,35-44,male
cards/obama.jpg,probes/obama_copy.jpg,true,65+,male
cards/obama.jpg,probes/biden.jpg,no,35-44,male
cards/obama.jpg,probes/astronaut.png,no,65+,female
cards/blank.png,probes/obama2.jpg,yes,,
"""


def transformed_copy(source: Path, out: Path) -> None:
    """The photo mirrored, dimmed, halved and saved as a JPEG of quality 70."""
    image = cv2.flip(cv2.imread(str(source)), 1)
    image = cv2.convertScaleAbs(image, alpha=0.8, beta=20)
    image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(out), image, [cv2.IMWRITE_JPEG_QUALITY, 70])


def set_up(folder: Path, photos: dict[str, Path]) -> None:
    (folder / "cards").mkdir()
    (folder / "probes").mkdir()
    (folder / "cards" / "obama.jpg").write_bytes(id_photo_jpeg(photos["obama"]))
    transformed_copy(photos["obama"], folder / "probes" / "obama_copy.jpg")
    cv2.imwrite(str(folder / "cards" / "blank.png"), np.full((150, 120, 3), 200, np.uint8))
    for name in ("obama2", "obama3", "biden", "astronaut"):
        shutil.copy(photos[name], folder / "probes" / photos[name].name)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["evaluate-pairs", *argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def stills(tmp_path_factory: pytest.TempPathFactory, photos: dict[str, Path]):
    folder = tmp_path_factory.mktemp("pairs")
    set_up(folder, photos)
    (folder / "pairs.csv").write_text(PAIRS, encoding="utf-8")
    status, out, err = run(str(folder / "pairs.csv"), "--json", str(folder / "out.json"))
    assert status == 0, err
    return out, err, json.loads((folder / "out.json").read_text(encoding="utf-8"))


def group(report: dict[str, Any], mode: str, name: str) -> dict[str, Any]:
    (found,) = [g for g in report["sections"][mode]["groups"] if g["group"] == name]
    return found


def test_same_person_pairs_are_accepted_and_others_refused(stills):
    _, _, report = stills
    assert list(report["sections"]) == ["still"]
    everyone = group(report, "still", "all")
    assert everyone["counts"] == {
        "genuine_accepted": 3,
        "genuine_review": 0,
        "genuine_refused": 0,
        "impostor_accepted": 0,
        "impostor_review": 0,
        "impostor_refused": 2,
    }
    assert (everyone["frr"]["k"], everyone["frr"]["n"]) == (0, 3)
    assert (everyone["far"]["k"], everyone["far"]["n"]) == (0, 2)
    assert everyone["frr"]["high"] == pytest.approx(0.561, abs=1e-3)  # Wilson, 0 of 3
    assert [p["line"] for p in report["pairs"]] == [2, 3, 4, 5, 6]
    for pair in report["pairs"]:
        assert pair["mode"] == "still"
        assert pair["outcome"] == ("accepted" if pair["same"] else "refused")
        assert (pair["distance"] <= 0.55) == pair["same"]
        assert pair["reasons"] == ([] if pair["same"] else ["face_mismatch"])


def test_groups_by_age_and_sex(stills):
    _, _, report = stills
    names = [g["group"] for g in report["sections"]["still"]["groups"]]
    assert names == [
        "all",
        "age 35-44",
        "age 65+",
        "sex female",
        "sex male",
        "age 35-44, sex male",
        "age 65+, sex female",
        "age 65+, sex male",
    ]
    older = group(report, "still", "age 65+")
    assert (older["frr"]["n"], older["far"]["n"]) == (1, 1)
    assert group(report, "still", "sex female")["far"]["n"] == 1


def test_the_sweep_and_the_refused_card(stills):
    out, _, report = stills
    sweep = {row["match_accept"]: row for row in report["sections"]["still"]["sweep"]}
    assert sorted(sweep) == [round(0.40 + 0.01 * i, 2) for i in range(26)]
    assert sweep[0.55]["frr"]["k"] == 0 and sweep[0.40]["frr"]["k"] >= 1  # obama2 is at 0.42
    assert all(row["far"]["k"] == 0 for row in sweep.values())
    assert report["refused_enrolments"] == [
        {
            "card": "cards/blank.png",
            "code": "no_face",
            "en": "No face was found in the ID photo. Use a photo where the face is clearly visible.",
            "lines": [7],
        }
    ]
    assert report["pairs_in_csv"] == 6 and report["cards"] == 2


def test_the_printed_table_and_the_progress(stills):
    out, err, _ = stills
    assert out.startswith(f"{Path(out.split(':')[0])}: 6 pairs, 2 ID-card photos (1 refused")
    (everyone,) = [line for line in out.splitlines() if line.startswith("all ")]
    assert everyone.split() == (
        ["all", "3", "0.0%", "(0.0-56.1%)", "0/3"]
        + ["2", "0.0%", "(0.0-65.8%)", "0/2"]
        + ["0.0%", "(0.0-43.4%)", "0/5"]
    )
    (current,) = [line for line in out.splitlines() if line.endswith("<- current")]
    assert current.split()[:4] == ["0.55", "0.0%", "(0.0-56.1%)", "0/3"]
    assert "  cards/blank.png: no_face (No face was found" in out
    assert out.rstrip().endswith(") line 7")
    assert "card 2 of 2: blank.png: no_face" in err
    assert "check 5 of 5 (line 6, still): refused" in err


def test_a_recorded_clip_and_a_rendered_one(
    tmp_path: Path,
    photos: dict[str, Path],
    genuine_frames: list[Frame],
    challenge: Challenge,
    synth,
):
    """A genuine clip recorded for its challenge (the whole decision), and with --clips a photo
    of another person also rendered into a genuine clip of them and verified."""
    (tmp_path / "card.jpg").write_bytes(id_photo_jpeg(photos["obama"]))
    synth.write_clip(genuine_frames, tmp_path / "obama2.mp4")
    (tmp_path / "obama2.json").write_text(challenge.to_json(), encoding="utf-8")
    shutil.copy(photos["biden"], tmp_path / "biden.jpg")
    (tmp_path / "pairs.csv").write_text(
        "card,probe,same,challenge\ncard.jpg,obama2.mp4,yes,obama2.json\ncard.jpg,biden.jpg,no,\n",
        encoding="utf-8",
    )
    status, out, err = run(
        str(tmp_path / "pairs.csv"), "--clips", "--json", str(tmp_path / "o.json")
    )
    assert status == 0, err
    report = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert list(report["sections"]) == ["still", "clip", "rendered"]
    outcomes = {(p["line"], p["mode"]): (p["outcome"], p["reasons"]) for p in report["pairs"]}
    assert outcomes == {
        (2, "clip"): ("accepted", []),
        (3, "still"): ("refused", ["face_mismatch"]),
        (3, "rendered"): ("refused", ["face_mismatch"]),
    }
    assert group(report, "clip", "all")["frr"]["k"] == 0
    assert group(report, "rendered", "all")["far"] == {
        "k": 0,
        "n": 1,
        "rate": 0.0,
        "low": 0.0,
        "high": pytest.approx(0.793, abs=1e-3),
    }
    assert "== recorded clips: the whole decision" in out
    assert "== genuine clips rendered from the photo probes" in out
    assert "check 3 of 3 (line 3, rendered): refused" in err
