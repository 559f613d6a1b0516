"""Encryption at rest for the bot store: Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

The key comes from EVA_DATA_KEY and is never written to the database. EVA_DATA_KEY may hold
several comma-separated keys for rotation: the first encrypts, all of them decrypt.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from eva_cli.errors import EvaError

KEY_HINT = (
    "Create one with `python -c \"from eva_cli.store import new_key; print(new_key())\"`, keep it outside the "
    "database (a secret manager or the environment) and set EVA_DATA_KEY."
)


def new_key() -> str:
    """A fresh random Fernet key (44 url-safe base64 characters) for EVA_DATA_KEY."""
    return Fernet.generate_key().decode("ascii")


class Cipher:
    """Text <-> bytes for the store: Fernet tokens, or plain UTF-8 bytes in insecure mode."""

    def __init__(self, key: str | None):
        self.encrypted = key is not None
        self._f: MultiFernet | None = None
        if key is not None:
            keys = [k.strip() for k in str(key).split(",") if k.strip()]
            if not keys:
                raise EvaError("EVA_DATA_KEY is empty.", KEY_HINT)
            try:
                self._f = MultiFernet([Fernet(k.encode("ascii")) for k in keys])
            except (ValueError, TypeError, UnicodeEncodeError):
                raise EvaError("EVA_DATA_KEY is not a valid Fernet key (32 bytes, url-safe base64: 44 characters).", KEY_HINT) from None

    def encrypt(self, text: str) -> bytes:
        data = text.encode("utf-8")
        return self._f.encrypt(data) if self._f is not None else data

    def decrypt(self, blob: bytes) -> str:
        if self._f is None:
            return bytes(blob).decode("utf-8")
        try:
            return self._f.decrypt(bytes(blob)).decode("utf-8")
        except InvalidToken:
            raise EvaError(
                "a stored message cannot be decrypted with EVA_DATA_KEY (wrong key or damaged row).",
                "Use the key this database was created with.",
            ) from None

    def check_token(self, token: bytes) -> bool:
        """True when `token` (written at creation) decrypts with this key."""
        if self._f is None:
            return False
        try:
            self._f.decrypt(bytes(token))
            return True
        except InvalidToken:
            return False
