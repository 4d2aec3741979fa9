"""Files encrypted at rest: AES-256-GCM in chunks, so a backup of any size streams through memory.

Layout: MAGIC, then records of (4-byte length, 12-byte nonce, ciphertext). Each record's associated
data is its index and whether it is the last, so records cannot be reordered, dropped or cut off
without the reader noticing. The first record is a JSON header; the rest are the payload.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"LIAISON-SEALED-1\n"
CHUNK = 1024 * 1024
KEY_BYTES = 32
KEY_INVALID = "The backup key must be 32 bytes in URL-safe base64 (make one with: manage.py backup --generate-key)."
NOT_SEALED = "Not a Liaison backup file (or from a newer version)."
TAMPERED = "The backup cannot be decrypted: wrong key, or the file was changed or cut short."


class SealedFileError(ValueError):
    pass


def key_generate() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_parse(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        raise SealedFileError(KEY_INVALID) from None
    if len(key) != KEY_BYTES:
        raise SealedFileError(KEY_INVALID)
    return key


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">Q?", index, last)


def seal(*, key: bytes, header: dict[str, Any], payload: IO[bytes], out: IO[bytes]) -> None:
    """Write the header and the payload stream to `out`, encrypted."""
    aes = AESGCM(key)
    out.write(MAGIC)
    index = 0

    def record(data: bytes, last: bool) -> None:
        nonlocal index
        nonce = os.urandom(12)
        ciphertext = aes.encrypt(nonce, data, _aad(index, last))
        out.write(struct.pack(">I", len(ciphertext)) + nonce + ciphertext)
        index += 1

    record(json.dumps(header).encode(), False)
    chunk = payload.read(CHUNK)
    while True:
        following = payload.read(CHUNK)
        record(chunk, not following)
        if not following:
            return
        chunk = following


def _records(key: bytes, source: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    aes = AESGCM(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise SealedFileError(NOT_SEALED)
    index = 0
    while True:
        size = source.read(4)
        if len(size) < 4:
            raise SealedFileError(TAMPERED)  # ended before a record marked last
        (length,) = struct.unpack(">I", size)
        nonce, ciphertext = source.read(12), source.read(length)
        for last in (False, True):
            try:
                data = aes.decrypt(nonce, ciphertext, _aad(index, last))
            except InvalidTag:
                continue
            yield data, last
            if last:
                return
            break
        else:
            raise SealedFileError(TAMPERED)
        index += 1


def unseal(*, key: bytes, source: IO[bytes], out: IO[bytes]) -> dict[str, Any]:
    """Decrypt into `out`; returns the header. Raises SealedFileError on any tampering."""
    records = _records(key, source)
    header_bytes, last = next(records)
    header = json.loads(header_bytes)
    if last:
        raise SealedFileError(TAMPERED)
    for data, _ in records:
        out.write(data)
    return header


def read_header(*, key: bytes, path: Path) -> dict[str, Any]:
    with path.open("rb") as source:
        header_bytes, _ = next(_records(key, source))
    return json.loads(header_bytes)
