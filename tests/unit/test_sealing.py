"""Sealing sensitive blobs: round trip, binding to a record, tampering, key rotation."""

from __future__ import annotations

import numpy as np
import pytest

from reporting_api.sealing import Sealer, SealError, generate_key


@pytest.fixture
def sealer() -> Sealer:
    return Sealer.from_setting(generate_key("k1"))


def test_a_face_template_round_trips_and_is_not_stored_in_clear(sealer):
    template = np.linspace(-0.2, 0.2, 128).astype("<f8").tobytes()
    blob = sealer.seal(template, "defendant:12:template")
    assert template not in blob and len(blob) == len(template) + 2 + 1 + 2 + 12 + 16
    assert sealer.open(blob, "defendant:12:template") == template
    # The same plaintext never seals to the same bytes (random nonce).
    assert sealer.seal(template, "defendant:12:template") != blob


def test_a_blob_copied_to_another_record_does_not_open(sealer):
    blob = sealer.seal(b"frame", "attempt:1:frame:0")
    with pytest.raises(SealError, match="another record"):
        sealer.open(blob, "attempt:2:frame:0")


def test_tampering_is_detected(sealer):
    blob = bytearray(sealer.seal(b"evidence", "x"))
    blob[-1] ^= 1
    with pytest.raises(SealError):
        sealer.open(bytes(blob), "x")
    with pytest.raises(SealError, match="not a sealed blob"):
        sealer.open(b"plain text", "x")


def test_rotation_keeps_old_blobs_readable():
    old_key, new_key = generate_key("k1"), generate_key("k2")
    old = Sealer.from_setting(old_key)
    blob = old.seal(b"template", "d:1")
    rotated = Sealer.from_setting(f"{new_key},{old_key}")
    assert rotated.open(blob, "d:1") == b"template"
    assert rotated.needs_resealing(blob)
    assert not rotated.needs_resealing(rotated.seal(b"template", "d:1"))
    with pytest.raises(SealError, match="unknown key"):
        Sealer.from_setting(new_key).open(blob, "d:1")


@pytest.mark.parametrize("setting", ["", "k1:not-base64!!", "k1:" + "QUFB", "bad id:" + "A" * 44])
def test_bad_key_settings_are_refused(setting):
    with pytest.raises(ValueError):
        Sealer.from_setting(setting)
