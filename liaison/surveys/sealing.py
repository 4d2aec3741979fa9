"""Held responses sealed under a per-wave key that never enters the database.

While a wave is open, each response waits in the held table, encrypted (AES-GCM) under a random key
for the wave. The key lives in a file under DATA_DIR/survey-keys/ (mode 0600, outside database
dumps, replicas and backups of the database) and is deleted when the wave closes: from then on the
held rows, their dead copies, the write-ahead log and every backup hold nothing readable. Every sealed
row has the same length, so neither its size nor its neighbours say which response it was.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

KEY_BYTES = 32
NONCE_BYTES = 12
SEALED_SIZE = 5120  # plaintext padded to this: more than 1,000 characters of open answer in UTF-8
KEY_LOST = "The key of this wave's held responses is missing: they cannot be read."


class KeyLost(RuntimeError):
    pass


def key_dir() -> Path:
    found = Path(settings.DATA_DIR) / "survey-keys"
    found.mkdir(mode=0o700, parents=True, exist_ok=True)
    return found


def _key_path(wave_uuid: UUID) -> Path:
    return key_dir() / f"{UUID(str(wave_uuid)).hex}.key"


def wave_key(wave_uuid: UUID, *, create: bool = True) -> bytes:
    """The wave's key, made on first use. Two workers racing both end with the one that was linked first."""
    path = _key_path(wave_uuid)
    if not path.exists():
        if not create:
            raise KeyLost(KEY_LOST)
        _write_new_key(path)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise KeyLost(KEY_LOST)
    return key


def _write_new_key(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, secrets.token_bytes(KEY_BYTES))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)  # atomic, and refuses to replace a key another worker made first
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def wave_key_exists(wave_uuid: UUID) -> bool:
    return _key_path(wave_uuid).exists()


def wave_key_destroy(wave_uuid: UUID) -> None:
    """Overwrite and delete the wave's key (a no-op when there is none)."""
    path = _key_path(wave_uuid)
    try:
        with open(path, "r+b") as handle:
            handle.write(b"\0" * KEY_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        pass


def seal(wave_uuid: UUID, payload: dict[str, Any]) -> bytes:
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    size = max(SEALED_SIZE, -(-len(plain) // 1024) * 1024)
    padded = plain + b" " * (size - len(plain))  # trailing spaces are ignored by json.loads
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(wave_key(wave_uuid)).encrypt(nonce, padded, UUID(str(wave_uuid)).bytes)


def unseal(wave_uuid: UUID, sealed: bytes | memoryview, key: bytes | None = None) -> dict[str, Any]:
    key = key or wave_key(wave_uuid, create=False)
    nonce, body = bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:])
    found: dict[str, Any] = json.loads(AESGCM(key).decrypt(nonce, body, UUID(str(wave_uuid)).bytes))
    return found
