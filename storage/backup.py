"""Encrypted backups: a consistent copy of the database, sealed in chunks with the key ring.

The copy is SQLite's online backup or ``pg_dump -Fc``; either is then encrypted here (the one
place besides crypto.py that encrypts: whole files, not values), so a backup left on a shared
disk reveals nothing, not even which tables grew. File format, version 1:
``CNBK | version (1) | kind (1) | key id (4) | salt (16) | nonce prefix (7)`` then chunks of
``length (4, top bit = last) | AES-256-GCM ciphertext``. The key is HKDF-SHA256 of the named
key-ring key with the salt; each chunk's nonce is the prefix, its counter and the last flag,
and the header is its associated data, so a reordered, cut or edited chunk fails to open.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.crypto import KeyRing

MAGIC = b"CNBK"
VERSION = 1
SQLITE, POSTGRES = 1, 2
CHUNK = 1 << 20
_HEADER = struct.Struct(">4sBB4s16s7s")
_LAST = 0x8000_0000


class BackupError(Exception):
    """A backup cannot be written or read back: the message is one line for the operator."""


def _aead(ring: KeyRing, kid: bytes, salt: bytes) -> AESGCM:
    key = ring.keys.get(kid.hex())
    if key is None:
        raise BackupError(
            f"this backup was sealed with key {kid.hex()}, which the key file does not hold "
            "(use the key file from when the backup was made)"
        )
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"casenotes backup v1")
    return AESGCM(hkdf.derive(key))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def encrypt_stream(src: IO[bytes], dst: IO[bytes], ring: KeyRing, kind: int) -> None:
    """Seal everything ``src`` yields into ``dst``, one chunk in memory at a time."""
    kid, salt, prefix = bytes.fromhex(ring.primary), os.urandom(16), os.urandom(7)
    header = _HEADER.pack(MAGIC, VERSION, kind, kid, salt, prefix)
    aead = _aead(ring, kid, salt)
    dst.write(header)
    counter, chunk = 0, src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, counter, last), chunk, header)
        dst.write(struct.pack(">I", len(sealed) | (_LAST if last else 0)) + sealed)
        if last:
            return
        counter, chunk = counter + 1, following


def decrypt_stream(src: IO[bytes], dst: IO[bytes], ring: KeyRing) -> int:
    """Open a sealed backup into ``dst`` and return its kind; raise on any alteration.

    ``dst`` receives data before the end is proven intact: write it somewhere temporary.
    """
    header = src.read(_HEADER.size)
    if len(header) < _HEADER.size or header[:4] != MAGIC:
        raise BackupError("not a casenotes backup")
    _magic, version, kind, kid, salt, prefix = _HEADER.unpack(header)
    if version != VERSION or kind not in (SQLITE, POSTGRES):
        raise BackupError(f"backup format {version} is not one this version reads")
    aead = _aead(ring, kid, salt)
    counter = 0
    while True:
        size = src.read(4)
        if len(size) < 4:
            raise BackupError("the backup is cut short (tampered or incomplete)")
        (word,) = struct.unpack(">I", size)
        last, length = bool(word & _LAST), word & ~_LAST
        sealed = src.read(length) if length <= CHUNK + 16 else b""
        if len(sealed) != length or length < 16:
            raise BackupError("the backup is damaged (tampered or incomplete)")
        try:
            dst.write(aead.decrypt(_nonce(prefix, counter, last), sealed, header))
        except InvalidTag:
            raise BackupError("the backup does not authenticate (tampered or wrong key)") from None
        if last:
            if src.read(1):
                raise BackupError("the backup has data after its end (tampered)")
            return int(kind)
        counter += 1


def create_private(path: Path) -> BinaryIO:
    """Open a new file with mode 0600, refusing one that exists (or a symlink)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise BackupError(f"cannot create {path}: {exc.strerror}") from None
    return os.fdopen(fd, "wb")


@contextmanager
def private_dir(near: Path) -> Iterator[Path]:
    """A 0700 scratch folder beside ``near`` (same disk, so a restore can rename into place)."""
    near.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = near.parent / f".casenotes-{secrets.token_hex(6)}"
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def pg_tool(name: str) -> str:
    """Find pg_dump or pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"{name} is not installed (install the PostgreSQL client tools)")
    return str(candidates[-1])
