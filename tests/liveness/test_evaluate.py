"""The evaluation's own parts without rendering: thresholds, manifests, the summary and table."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from liveness import eval_report, eval_set
from liveness.evaluate import (
    format_table,
    id_photo_jpeg,
    load_manifest,
    make_id_photo,
    parse_groups,
    parse_thresholds,
    summarise,
)
from liveness.synth.looks import GROUPS, Look
from liveness.types import Action, Challenge, Step, Thresholds

CHALLENGE = Challenge("eval-test", (Step(Action.BLINK, 1.0, 2.5), Step(Action.TURN_LEFT, 2.5, 4.0)))


def test_names_stay_importable_from_liveness_evaluate():
    assert id_photo_jpeg is eval_set.id_photo_jpeg
    assert make_id_photo is eval_set.make_id_photo
    assert summarise is eval_report.summarise
    assert format_table is eval_report.format_table


def test_thresholds_take_overrides_and_refuse_unknown_or_non_numeric_ones():
    assert parse_thresholds(["match_accept=0.5"]) == Thresholds(match_accept=0.5)
    assert parse_thresholds([]) == Thresholds()
    with pytest.raises(ValueError, match="unknown threshold 'nope'"):
        parse_thresholds(["nope=1"])
    with pytest.raises(ValueError, match="needs a number"):
        parse_thresholds(["match_accept=high"])


def test_a_manifest_resolves_paths_and_reads_challenges(tmp_path: Path):
    (tmp_path / "id.jpg").write_bytes(b"photo")
    (tmp_path / "c.json").write_text(CHALLENGE.to_json(), encoding="utf-8")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "id_photo": "id.jpg",
                "clips": [
                    {"species": "genuine", "clip": "clips/a.mp4", "challenge": "c.json"},
                    {
                        "species": "print",
                        "render": {"photo": "/x.jpg", "seed": 3},
                        "challenge": json.loads(CHALLENGE.to_json()),
                    },
                ],
            }
        )
    )
    id_photo, clips = load_manifest(manifest)
    assert id_photo == b"photo"
    assert clips[0]["clip"] == str(tmp_path / "clips/a.mp4")
    assert clips[0]["name"] == "clips/a.mp4"
    assert clips[1]["name"] == "render_001"
    assert all(Challenge.from_json(c["challenge"]) == CHALLENGE for c in clips)


@pytest.mark.parametrize(
    ("clips", "message"),
    [
        ([{"species": "alien", "clip": "a.mp4", "challenge": {}}], "species must be one of"),
        ([{"species": "genuine", "challenge": "c.json"}], "needs 'clip'"),
        ([], "lists no clips"),
    ],
)
def test_a_bad_manifest_is_refused_with_the_reason(tmp_path: Path, clips, message):
    (tmp_path / "id.jpg").write_bytes(b"photo")
    (tmp_path / "c.json").write_text(CHALLENGE.to_json(), encoding="utf-8")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"id_photo": "id.jpg", "clips": clips}))
    with pytest.raises(ValueError, match=message):
        load_manifest(manifest)


def _result(species: str, decision: str, reasons: list[str], distance: float | None) -> dict:
    scores = {} if distance is None else {"match_distance": distance}
    return {
        "species": species,
        "name": species,
        "decision": decision,
        "reasons": reasons,
        "scores": scores,
        "timings_ms": {"total": 10.0},
    }


def test_the_summary_counts_each_species_and_the_match_error_rates():
    results = [
        _result("genuine", "verified", ["verified"], 0.45),
        _result("genuine", "review", ["match_uncertain"], 0.60),
        _result("genuine", "rejected", ["no_face_in_clip"], None),
        _result("impostor", "rejected", ["face_mismatch"], 0.80),
        _result("impostor", "rejected", ["face_mismatch"], 0.50),
        _result("print", "rejected", ["flat_face", "challenge_not_completed"], 0.40),
        _result("replay", "verified", ["verified"], 0.44),
    ]
    summary = summarise(results, Thresholds(match_accept=0.55))
    genuine = summary["species"]["genuine"]
    assert (genuine["n"], genuine["verified"], genuine["review"], genuine["rejected"]) == (
        3,
        1,
        1,
        1,
    )
    assert genuine["bpcer"] == pytest.approx(2 / 3)
    assert genuine["bpcer_review"] == pytest.approx(1 / 3)
    assert summary["species"]["replay"]["apcer"] == 1.0
    assert summary["species"]["print"]["reasons"] == {"flat_face": 1, "challenge_not_completed": 1}
    assert "static" not in summary["species"]
    match = summary["match"]
    assert (match["false_accepts"], match["far_n"], match["far"]) == (1, 2, 0.5)
    assert (match["false_rejects"], match["frr_n"]) == (2, 3)
    assert match["genuine_distances"][-1] == float("inf")

    table = format_table(summary)
    assert "BPCER 66.7% (rejected 33.3%, review 33.3%)" in table
    assert "replay       1         1       0         0   APCER 100.0%" in table
    assert "match FAR 1/2 = 50.0% (impostor clips at distance <= 0.55)" in table
    assert "  impostor  face_mismatch 2" in table


def test_groups_are_named_or_all_and_an_unknown_one_is_refused():
    assert parse_groups("all") == tuple(GROUPS)
    assert parse_groups("beard, mask") == ("beard", "mask")
    assert parse_groups("") == ("plain",)
    with pytest.raises(ValueError, match="unknown group 'hat'"):
        parse_groups("beard,hat")


def test_a_clip_may_name_its_own_id_photo_and_look(tmp_path: Path):
    (tmp_path / "id.jpg").write_bytes(b"photo")
    (tmp_path / "id_old.jpg").write_bytes(b"old photo")
    clips = [
        {
            "species": "genuine",
            "group": "old_photo",
            "id_photo": "id_old.jpg",
            "look": {"glasses": "thin"},
            "render": {"photo": "/x.jpg"},
            "challenge": json.loads(CHALLENGE.to_json()),
        }
    ]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"id_photo": "id.jpg", "clips": clips}))
    _, loaded = load_manifest(manifest)
    assert loaded[0]["id_photo"] == str(tmp_path / "id_old.jpg")
    clips[0]["look"] = {"hat": True}
    manifest.write_text(json.dumps({"id_photo": "id.jpg", "clips": clips}))
    with pytest.raises(ValueError, match="hat"):
        load_manifest(manifest)


def test_the_summary_breaks_down_by_group_when_there_are_several():
    def row(group: str, species: str, decision: str, reasons: list[str]) -> dict:
        return dict(_result(species, decision, reasons, 0.45), group=group)

    results = [
        row("plain", "genuine", "verified", ["verified"]),
        row("plain", "print", "rejected", ["flat_face"]),
        row("beard", "genuine", "verified", ["verified"]),
        row("beard", "genuine", "rejected", ["challenge_not_completed"]),
        row("beard", "print", "verified", ["verified"]),
    ]
    summary = summarise(results, Thresholds())
    assert list(summary["groups"]) == ["plain", "beard"]
    beard = summary["groups"]["beard"]
    assert (beard["genuine"]["n"], beard["genuine"]["bpcer"]) == (2, 0.5)
    assert beard["print"]["apcer"] == 1.0
    assert summary["species"]["genuine"]["n"] == 3
    table = format_table(summary)
    assert "beard" in table and "50.0%" in table
    assert "  beard       challenge_not_completed 1" in table
    assert "  plain" not in table
    one_group = summarise(results[:2], Thresholds())
    assert "groups" not in one_group


def test_generating_a_group_writes_its_clips_looks_and_own_id_photo(tmp_path: Path):
    import cv2

    manifest = eval_set.generate(tmp_path, 1, 0, 1, ("dark_skin",))
    data = json.loads(manifest.read_text())
    assert [c["species"] for c in data["clips"]] == list(eval_set.SPECIES)
    for clip in data["clips"]:
        assert clip["group"] == "dark_skin"
        assert clip["id_photo"] == "id_photo_dark_skin.jpg"
        assert -0.6 <= clip["look"]["skin"] <= -0.35
        assert clip["clip"].startswith("clips/dark_skin/")
        assert (tmp_path / clip["clip"]).stat().st_size > 10_000
    plain = cv2.imread(str(tmp_path / "id_photo.jpg"))
    darker = cv2.imread(str(tmp_path / "id_photo_dark_skin.jpg"))
    assert darker.shape == plain.shape
    assert darker.mean() < 0.85 * plain.mean()
    with pytest.raises(ValueError, match="unknown group"):
        eval_set.generate(tmp_path, 1, 0, 1, ("hat",))


def test_a_request_takes_off_only_what_it_asked_for():
    worn = Look(glasses="thick", glare=0.5, beard=0.6, mask=True, skin=-0.4)
    assert eval_set.without(worn, "mask_on") == replace(worn, mask=False)
    assert eval_set.without(worn, "glasses_off") == Look(beard=0.6, mask=True, skin=-0.4)
    assert eval_set.without(worn, "dark_glasses") == eval_set.without(worn, "glasses_off")
    assert eval_set.without(worn, None) == worn  # rejected for something else: as they were


def test_a_later_recording_is_named_after_the_first():
    assert eval_set.first_name("clips/mask/genuine_000_try3.mp4") == "clips/mask/genuine_000.mp4"
    assert eval_set.first_name("clips/genuine_007.mp4") == "clips/genuine_007.mp4"
    assert eval_set.first_name("clips/x_tryout.mp4") == "clips/x_tryout.mp4"


def test_a_rejected_clip_is_recorded_again_without_what_was_asked_off(tmp_path: Path):
    folder = tmp_path / "clips" / "mask"
    folder.mkdir(parents=True)
    first = {
        "species": "genuine",
        "group": "mask",
        "clip": str(folder / "genuine_000.mp4"),
        "name": "clips/mask/genuine_000.mp4",
        "source": "obama2",
        "seed": 7,
        "look": {"mask": True, "skin": -0.3},
        "challenge": "{}",
    }
    (second,) = eval_set.retries([first], ["mask_on"], 2, 1)
    assert second["name"] == "clips/mask/genuine_000_try2.mp4"
    assert (second["seed"], second["first_seed"], second["attempt"]) == (
        7 + eval_set.RETRY_SEED,
        7,
        2,
    )
    assert Look(**second["look"]) == Look(skin=-0.3)
    assert Path(second["clip"]).stat().st_size > 10_000
    first_steps = eval_set.new_challenge(__import__("random").Random(7)).steps
    assert Challenge.from_json(second["challenge"]).steps != first_steps
    assert second["group"] == "mask" and second["source"] == "obama2"
    # The third recording counts from the first one's seed, and keeps the mask off.
    (third,) = eval_set.retries([second], [None], 3, 1)
    assert third["name"] == "clips/mask/genuine_000_try3.mp4"
    assert third["seed"] == 7 + 2 * eval_set.RETRY_SEED
    assert Look(**third["look"]) == Look(skin=-0.3)


def test_a_check_in_counts_its_last_recording():
    def row(group: str, name: str, decision: str, reasons: list[str], attempt: int = 0) -> dict:
        out = dict(_result("genuine", decision, reasons, 0.45), group=group, name=name)
        return dict(out, attempt=attempt) if attempt else out

    first = [
        row("mask", "m0.mp4", "rejected", ["mask_on"]),
        row("mask", "m1.mp4", "verified", ["verified"]),
        row("glasses", "g0.mp4", "rejected", ["challenge_not_completed"]),
        row("glasses", "g1.mp4", "review", ["match_uncertain"]),
        row("glasses", "g2.mp4", "rejected", ["glasses_off"]),
        dict(row("glasses", "p0.mp4", "verified", ["verified"]), species="print"),
    ]
    later = [
        row("mask", "m0_try2.mp4", "verified", ["verified"], 2),
        row("glasses", "g0_try2.mp4", "rejected", ["challenge_not_completed"], 2),
        row("glasses", "g2_try2.mp4", "verified", ["verified"], 2),
        row("glasses", "g0_try3.mp4", "rejected", ["flat_face"], 3),
    ]
    by_group = eval_report.summarise_check_ins(first, later)
    assert list(by_group) == ["glasses", "mask"]  # in the order of GROUPS
    assert by_group["mask"] == {
        "n": 2,
        "verified": 2,
        "verified_on": {1: 1, 2: 1},
        "officer": 0,
        "bpcer": 0.0,
        "reasons": {},
    }
    glasses = by_group["glasses"]
    assert (glasses["n"], glasses["verified"], glasses["officer"]) == (3, 1, 2)
    assert glasses["reasons"] == {"match_uncertain": 1, "flat_face": 1}  # the last recordings
    summary = dict(summarise(first, Thresholds()))
    summary["check_ins"] = by_group
    table = format_table(summary)
    assert "  glasses     1/3 (0+1+0), BPCER 66.7%; flat_face 1, match_uncertain 1" in table
    assert "  mask        2/2 (1+1+0), BPCER 0.0%" in table
