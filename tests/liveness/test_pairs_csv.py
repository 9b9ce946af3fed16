"""evaluate-pairs' CSV (liveness.pairs_csv): what it accepts, and a message naming the line and
column, with exit status 2 and no traceback, for each thing it refuses. No face is matched here."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from liveness.cli import main
from liveness.pairs_csv import PairsError, load_pairs
from liveness.types import Action, Challenge, Step

CHALLENGE = Challenge(
    "pairs-test", (Step(Action.BLINK, 1.0, 2.5), Step(Action.TURN_LEFT, 2.5, 4.0))
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with a made-up card and photo (grey squares), a clip and its challenge."""
    (tmp_path / "cards").mkdir()
    grey = np.full((40, 30, 3), 128, np.uint8)
    cv2.imwrite(str(tmp_path / "cards" / "a.jpg"), grey)
    cv2.imwrite(str(tmp_path / "photo.png"), grey)
    (tmp_path / "clip.webm").write_bytes(b"not decoded while reading the CSV")
    (tmp_path / "clip.json").write_text(CHALLENGE.to_json(), encoding="utf-8")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_gives_every_pair_with_its_paths_and_labels(folder: Path):
    path = write(
        folder,
        "\ufeffcard, probe ,same,age_group,sex,challenge\n"
        "cards/a.jpg,photo.png,Yes,35-49,F,\n"
        "\n"
        "cards/a.jpg,clip.webm,0,,,clip.json\n"
        "cards/a.jpg,photo.png,TRUE,60+,M,\n",
    )
    pairs = load_pairs(path)
    assert [(p.line, p.kind, p.same) for p in pairs] == [
        (2, "photo", True),
        (4, "clip", False),
        (5, "photo", True),
    ]
    assert pairs[0].card == folder / "cards" / "a.jpg"
    assert (pairs[0].card_text, pairs[0].probe_text) == ("cards/a.jpg", "photo.png")
    assert (pairs[0].age_group, pairs[0].sex) == ("35-49", "F")
    assert pairs[1].challenge == CHALLENGE and pairs[0].challenge is None


def test_the_optional_columns_may_be_left_out(folder: Path):
    pairs = load_pairs(write(folder, "same,probe,card\nno,photo.png,cards/a.jpg\n"))
    assert (pairs[0].same, pairs[0].age_group, pairs[0].sex) == (False, "", "")


BAD = [
    ("", "pairs.csv: empty; the first line names the columns"),
    ("card,probe,same\n", "pairs.csv: a header but no pairs"),
    ("card,probe,same,age\n", "line 1: unknown column 'age'; the columns are card, probe"),
    ("card,probe\n", "line 1: no column 'same'"),
    ("card,probe,same,card\n", "line 1: column 'card' appears twice"),
    (
        "card,probe,same\ncards/a.jpg,photo.png,yes\ncards/b.jpg,photo.png,yes\n",
        "line 3, column 'card': no file 'cards/b.jpg'",
    ),
    ("card,probe,same\n,photo.png,yes\n", "line 2, column 'card': empty"),
    (
        "card,probe,same\ncards/a.jpg,broken.jpg,yes\n",
        "line 2, column 'probe': 'broken.jpg' cannot be read as an image",
    ),
    (
        "card,probe,same\nbroken.jpg,photo.png,yes\n",
        "line 2, column 'card': 'broken.jpg' cannot be read as an image",
    ),
    (
        "card,probe,same\ncards/a.jpg,notes.txt,yes\n",
        "line 2, column 'probe': 'notes.txt' is neither a photo",
    ),
    (
        "card,probe,same\ncards/a.jpg,photo.png,maybe\n",
        "line 2, column 'same': 'maybe' is not yes/no, 1/0 or true/false",
    ),
    (
        "card,probe,same\ncards/a.jpg,clip.webm,yes\n",
        "line 2, column 'challenge': a clip needs the challenge JSON",
    ),
    (
        "card,probe,same,challenge\ncards/a.jpg,clip.webm,yes,notes.txt\n",
        "line 2, column 'challenge': 'notes.txt' is not a challenge",
    ),
    (
        "card,probe,same,challenge\ncards/a.jpg,photo.png,yes,clip.json\n",
        "line 2, column 'challenge': only a clip has a challenge",
    ),
    (
        "card,probe,same\ncards/a.jpg,photo.png,yes,extra\n",
        "line 2: 4 values for 3 columns",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_a_mistake_is_named_by_line_and_column(folder: Path, text: str, message: str):
    with pytest.raises(PairsError) as caught:
        load_pairs(write(folder, text))
    assert str(caught.value).startswith(str(folder / "pairs.csv"))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    BAD[:4] + BAD[10:11],
    ids=["empty", "no pairs", "column", "no same", "same"],
)
def test_the_command_says_what_is_wrong_and_exits_2_without_a_traceback(
    folder: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
):
    assert main(["evaluate-pairs", str(write(folder, text))]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("evaluate-pairs: ") and message in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_a_missing_or_non_utf8_csv_is_named(folder: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["evaluate-pairs", str(folder / "nowhere.csv")]) == 2
    assert "nowhere.csv: no such file" in capsys.readouterr().err
    (folder / "latin.csv").write_bytes("card,probe,same\ncafé.jpg,x.png,yes\n".encode("latin-1"))
    assert main(["evaluate-pairs", str(folder / "latin.csv")]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


def test_a_json_path_in_a_missing_folder_is_refused_before_any_work(
    folder: Path, capsys: pytest.CaptureFixture[str]
):
    csv = write(folder, "card,probe,same\ncards/a.jpg,photo.png,yes\n")
    assert main(["evaluate-pairs", str(csv), "--json", str(folder / "no" / "out.json")]) == 2
    assert "--json" in capsys.readouterr().err
