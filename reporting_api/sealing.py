"""Encryption at rest for sensitive data (ID-card photos, face templates, evidence frames,
two-factor secrets): AES-256-GCM.

A sealed blob names the key that sealed it, so keys can be rotated: new data is sealed with
the current key, old data still opens with the older ones. Each blob is bound to a context
string (for example "defendant:12:template"), so a blob copied onto another record does not
open there. The data key is a setting of its own, separate from the session secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"s1"
NONCE_BYTES = 12
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class SealError(Exception):
    """A blob that cannot be opened: unknown key, wrong context, or tampered with."""


def generate_key(key_id: str = "k1") -> str:
    """A new key in the setting's format, `id:base64`."""
    if not KEY_ID.match(key_id):
        raise ValueError(f"key id {key_id!r}: use 1-32 of A-Z, a-z, 0-9, _ and -")
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


class Sealer:
    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError("the current key must be one of the keys")
        for key_id, key in keys.items():
            if not KEY_ID.match(key_id) or len(key) != 32:
                raise ValueError(f"key {key_id!r}: ids are 1-32 of [A-Za-z0-9_-], keys 32 bytes")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._keys = dict(keys)
        self._current = current

    @classmethod
    def from_setting(cls, value: str) -> Sealer:
        """`id:base64[,id:base64...]`; the first key seals, all of them open."""
        keys: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            key_id, _, encoded = part.partition(":")
            try:
                keys[key_id] = base64.urlsafe_b64decode(encoded.encode())
            except (ValueError, TypeError):
                raise ValueError(f"key {key_id!r} is not valid base64") from None
        if not keys:
            raise ValueError("no data key given (expected id:base64)")
        return cls(keys, current=next(iter(keys)))

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        key_id = self._current.encode()
        sealed = self._ciphers[self._current].encrypt(nonce, plaintext, context.encode())
        return VERSION + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, blob: bytes, context: str) -> bytes:
        if len(blob) < 3 or blob[:2] != VERSION:
            raise SealError("not a sealed blob")
        length = blob[2]
        key_id = blob[3 : 3 + length].decode(errors="replace")
        rest = blob[3 + length :]
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealError(f"sealed with an unknown key {key_id!r}")
        try:
            return cipher.decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], context.encode())
        except InvalidTag:
            raise SealError("the blob was altered or belongs to another record") from None

    def fingerprint(self, value: str, purpose: str) -> str:
        """A keyed hash of ``value`` (HMAC-SHA256 under a key derived from the current data
        key for ``purpose``), as `key id:hex`: the same value gives the same fingerprint, so a
        holder of the key can tell whether a given number was searched for, and nobody
        without it can turn a fingerprint back into the number."""
        derived = hmac.new(
            self._keys[self._current], f"fingerprint:{purpose}".encode(), hashlib.sha256
        ).digest()
        digest = hmac.new(derived, value.encode(), hashlib.sha256).hexdigest()
        return f"{self._current}:{digest[:32]}"

    def needs_resealing(self, blob: bytes) -> bool:
        """True for blobs sealed with an older key (a rotation job reseals them)."""
        length = blob[2] if len(blob) > 2 else 0
        return blob[3 : 3 + length].decode(errors="replace") != self._current
