"""`masking.scrub`: numbers in an audit row's detail masked, keyed fingerprints kept whole
(a fingerprint's hex once held `a0612344000e`, a "mobile number" the masker spoiled: the
audit row then no longer matched the number's fingerprint)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reporting_api.masking import scrub

HEX = "0123456789abcdef"


def test_numbers_are_masked_and_a_fingerprint_that_looks_like_one_is_kept():
    fingerprint = "test1:1f9452b1f1eaa0612344000e1f3e4574"
    detail = {"q": "0812345678", "q_kind": "phone", "q_fingerprint": fingerprint}
    assert scrub(detail) == {"q": "08x-xxx-xx78", "q_kind": "phone", "q_fingerprint": fingerprint}
    assert scrub({"note": fingerprint})["note"] != fingerprint  # elsewhere it is text


@given(st.text(alphabet=HEX, min_size=32, max_size=32), st.sampled_from(["k1", "test1"]))
def test_a_fingerprint_is_never_changed(digest, key):
    fingerprint = f"{key}:{digest}"
    assert scrub({"q_fingerprint": fingerprint, "nested": [{"x_fingerprint": fingerprint}]}) == {
        "q_fingerprint": fingerprint,
        "nested": [{"x_fingerprint": fingerprint}],
    }
