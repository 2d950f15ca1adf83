"""Key ring, AES-256-GCM sealing and the blind index: the only code that encrypts.

Ciphertext format (bytes): ``version | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag``
(AES-256-GCM).
The associated data binds each value to ``table.column.row id`` so a value copied into another
row or column fails authentication instead of decrypting as someone else's note. Version 2
("owner-bound") also binds the owning worker (``table.column.row id|w<worker id>``), so a row
re-pointed at another worker in the database fails too; version 1 is unbound (workers' own
names, the key canary, and values from before owners were bound).

A ring loaded from a key file follows it while the bot runs (``keys rotate`` needs no
restart): a value sealed with a key id it does not hold makes it re-read the file once, and
sealing looks at the file's stamp at most every ``RELOAD_INTERVAL`` seconds, so the bot seals
with a new primary soon after it is written. Key commands hold ``key_file_lock``.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
OWNER_BOUND = 2
_HEADER = 1 + 4 + 12
#: At most how often (seconds) sealing stats the key file for a rotation: one stat, so cheap,
#: but not once per value while re-sealing thousands. ``keys rotate`` waits this long (and a
#: margin) after writing a new primary before its last pass.
RELOAD_INTERVAL = 0.5

_log = logging.getLogger(__name__)
#: What tells one version of the key file from the next (os.replace gives a new inode).
Stamp = tuple[int, int, int, int, int]


class KeyFileError(Exception):
    """A key file is missing, unreadable, unsafe or does not match the data."""


class IntegrityError(Exception):
    """A stored value failed authentication: tampered, swapped or sealed with an unknown key."""


@dataclass(frozen=True)
class KeyRing:
    """The keys that decrypt; the first (primary) one also encrypts."""

    keys: dict[str, bytes] = field(repr=False)
    primary: str
    index_secret: bytes = field(repr=False)
    rotation_pending: bool = False
    #: How many values this ring has decrypted; read by storage.metrics, never serialised.
    opens: int = field(default=0, init=False, repr=False, compare=False)
    #: Whether a value from before owner binding (version 1) may open where an owner is
    #: expected; only while storage.binding re-seals them. Never serialised.
    accept_unbound: bool = field(default=False, init=False, repr=False, compare=False)
    _index_key: bytes = field(init=False, repr=False, compare=False)
    _word_key: bytes = field(init=False, repr=False, compare=False)
    _digest_key: bytes = field(init=False, repr=False, compare=False)
    _audit_key: bytes = field(init=False, repr=False, compare=False)
    #: The key file this ring follows (set by load_key_ring), its stamp, and when sealing
    #: last looked at it.
    _source: Path | None = field(default=None, init=False, repr=False, compare=False)
    _stamp: Stamp | None = field(default=None, init=False, repr=False, compare=False)
    _checked_at: float = field(default=0.0, init=False, repr=False, compare=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Pretty-printers (hypothesis's failure reports, IPython) ignore ``repr=False`` and
        would show the key bytes: give them the plain repr instead."""
        printer.text(repr(self))

    def __post_init__(self) -> None:
        if self.primary not in self.keys:
            raise KeyFileError("key file names a primary key it does not contain")
        for kid, key in self.keys.items():
            if len(bytes.fromhex(kid)) != 4 or len(key) != 32:
                raise KeyFileError("key file holds a malformed key")
        if len(self.index_secret) < 32:
            raise KeyFileError("key file holds an index secret that is empty or too short")
        # v2: the worker is part of the input (see blind_index), so the keys differ from v1's.
        object.__setattr__(
            self, "_index_key", _derive(self.index_secret, b"casenotes blind index v2")
        )
        object.__setattr__(
            self, "_word_key", _derive(self.index_secret, b"casenotes name word v2")
        )
        object.__setattr__(
            self, "_digest_key", _derive(self.index_secret, b"casenotes note hash v1")
        )
        object.__setattr__(
            self, "_audit_key", _derive(self.index_secret, b"casenotes audit chain v1")
        )

    @staticmethod
    def generate() -> KeyRing:
        """Make a fresh ring with one primary key and a blind-index secret."""
        kid = secrets.token_hex(4)
        return KeyRing({kid: AESGCM.generate_key(256)}, kid, secrets.token_bytes(32))

    def with_new_primary(self) -> KeyRing:
        """Return a ring whose new primary key encrypts while every old key still decrypts."""
        kid = secrets.token_hex(4)
        keys = {kid: AESGCM.generate_key(256), **self.keys}
        return KeyRing(keys, kid, self.index_secret, rotation_pending=True)

    def finished_rotation(self) -> KeyRing:
        """Return the same ring with the rotation marked complete."""
        return KeyRing(dict(self.keys), self.primary, self.index_secret, rotation_pending=False)

    def seal(self, plaintext: bytes, aad: str, owner: int | None = None) -> bytes:
        """Encrypt with the primary key and a fresh 96-bit nonce, bound to ``aad`` and, when
        given, to the owning worker."""
        if self._source is not None and time.monotonic() - self._checked_at >= RELOAD_INTERVAL:
            self.reload_if_changed()
        nonce = os.urandom(12)
        version = FORMAT_VERSION if owner is None else OWNER_BOUND
        ct = AESGCM(self.keys[self.primary]).encrypt(nonce, plaintext, _bound(aad, owner))
        return bytes([version]) + bytes.fromhex(self.primary) + nonce + ct

    def open(self, blob: bytes, aad: str, owner: int | None = None) -> bytes:
        """Decrypt a sealed value or raise IntegrityError; never returns unauthenticated bytes.

        With ``owner`` the value must be bound to that worker (an unbound one opens only
        while ``accept_unbound``); without, it must be unbound.
        """
        object.__setattr__(self, "opens", self.opens + 1)
        version = blob[0] if blob else 0
        if len(blob) < _HEADER + 16 or version not in (FORMAT_VERSION, OWNER_BOUND):
            raise IntegrityError(f"stored value for {aad} is not in a known format")
        if version == OWNER_BOUND and owner is None:
            raise IntegrityError(f"stored value for {aad} is bound to an owner but none was given")
        if version == FORMAT_VERSION and owner is not None:
            if not self.accept_unbound:
                raise IntegrityError(f"stored value for {aad} is not bound to its owner")
            owner = None
        kid = blob[1:5].hex()
        key = self.keys.get(kid)
        if key is None and self.reload():  # rotated while we run: the file has the new key
            key = self.keys.get(kid)
        if key is None:
            raise IntegrityError(f"stored value for {aad} was sealed with unknown key {kid}")
        try:
            return AESGCM(key).decrypt(blob[5:17], blob[17:], _bound(aad, owner))
        except InvalidTag:
            raise IntegrityError(f"stored value for {aad} failed its integrity check") from None

    def adopt(self, newer: KeyRing) -> None:
        """Take on a newer ring's keys, primary and rotation state in place, so every
        repository sharing this ring follows a rotation at once.

        Refuses a file that lacks a key this ring holds (values sealed with it may be stored),
        another index secret (every blind index would stop matching) or another key under a
        known id.
        """
        if not hmac.compare_digest(newer.index_secret, self.index_secret):
            raise KeyFileError("the key file now holds another index secret; not adopted")
        clash = [
            k for k, v in newer.keys.items() if not hmac.compare_digest(self.keys.get(k, v), v)
        ]
        if clash:
            raise KeyFileError(f"the key file now holds another key under id {clash[0]}")
        lost = sorted(set(self.keys) - set(newer.keys))
        if lost:
            # An older key file put back: following it would seal with an old primary, and
            # values sealed with the lost key would not open after the next restart.
            raise KeyFileError(f"the key file lost key {lost[0]}, which this process holds")
        # Keys first: a value sealed by the new primary must open the moment anyone seals one.
        object.__setattr__(self, "keys", {**self.keys, **newer.keys})
        object.__setattr__(self, "primary", newer.primary)
        object.__setattr__(self, "rotation_pending", newer.rotation_pending)

    def reload(self) -> bool:
        """Re-read the key file this ring was loaded from and adopt it (also on SIGHUP).

        Never raises: a file that cannot be used is logged (path and reason, never key
        material) and the ring stays as it was. False then, or if the ring has no file.
        """
        if self._source is None:
            return False
        before = (self.primary, len(self.keys))
        try:
            newer, stamp = _read_key_file(self._source)
            self.adopt(newer)
        except KeyFileError as exc:
            _log.error("key file not reloaded: %s", exc)
            return False
        object.__setattr__(self, "_stamp", stamp)
        if (self.primary, len(self.keys)) != before:
            _log.info("key ring reloaded: primary key %s, %d keys", self.primary, len(self.keys))
        return True

    def reload_if_changed(self) -> bool:
        """Reload if the key file changed since last seen (one stat); a failed reload is not
        retried until the file changes again."""
        object.__setattr__(self, "_checked_at", time.monotonic())
        if self._source is None:
            return False
        try:
            stamp: Stamp | None = _stamp_of(os.stat(self._source))
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return False
        object.__setattr__(self, "_stamp", stamp)
        return self.reload()

    @contextmanager
    def accepting_unbound(self) -> Iterator[None]:
        """Let values from before owner binding open where an owner is expected, for the
        migration that re-seals them (storage.binding) and nothing else."""
        before = self.accept_unbound
        object.__setattr__(self, "accept_unbound", True)
        try:
            yield
        finally:
            object.__setattr__(self, "accept_unbound", before)

    @staticmethod
    def is_owner_bound(blob: bytes) -> bool:
        """Tell whether a value is bound to its owner (used by storage.binding)."""
        return bool(blob) and blob[0] == OWNER_BOUND

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        """Tell which key sealed a value (used by rotation)."""
        return blob[1:5].hex()

    def blind_index(self, name: str, worker_id: int) -> str:
        """HMAC the normalised name so equal names match without storing them; the worker is
        in the input, so one name under two workers gives two unlinkable indexes."""
        data = f"{worker_id}:{normalise_name(name)}".encode()
        return hmac.new(self._index_key, data, hashlib.sha256).hexdigest()

    def word_index(self, word: str, worker_id: int) -> str:
        """Blind index of one word of a name, accents and case folded ('Zoë' finds 'zoe'),
        per worker like ``blind_index``."""
        data = f"{worker_id}:{fold_word(word)}".encode()
        return hmac.new(self._word_key, data, hashlib.sha256).hexdigest()

    def digest(self, data: bytes) -> str:
        """A keyed SHA-256 of plaintext: proves a note unchanged without letting anyone
        without the key confirm a guess of its content."""
        return hmac.new(self._digest_key, data, hashlib.sha256).hexdigest()

    def audit_mac(self, data: bytes) -> str:
        """A keyed SHA-256 for the audit chain: without the key file nobody can rebuild the
        chain after editing it."""
        return hmac.new(self._audit_key, data, hashlib.sha256).hexdigest()

    def to_json(self) -> str:
        """Serialise for the key file."""
        return json.dumps(
            {
                "format": 1,
                "primary": self.primary,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
                "index_secret": base64.b64encode(self.index_secret).decode(),
                "rotation_pending": self.rotation_pending,
            },
            indent=2,
        )

    @staticmethod
    def from_json(text: str) -> KeyRing:
        """Parse a key file's text."""
        try:
            data = json.loads(text)
            keys = {k: base64.b64decode(v) for k, v in data["keys"].items()}
            return KeyRing(
                keys,
                data["primary"],
                base64.b64decode(data["index_secret"]),
                bool(data.get("rotation_pending", False)),
            )
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileError("key file is not a valid casenotes key file") from None


def _bound(aad: str, owner: int | None) -> bytes:
    return (aad if owner is None else f"{aad}|w{owner}").encode()


def drop_invisible(text: str) -> str:
    """Remove invisible format characters (zero-width spaces and joiners, BOM, bidi marks).

    They are easy to paste in by accident and would make two equal-looking names differ.
    """
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def fold_word(word: str) -> str:
    """Case- and accent-folded form of a word: 'Zoë' and 'ZOE' both become 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", drop_invisible(word).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def name_words(name: str) -> list[str]:
    """The distinct folded words of a name, split on spaces, hyphens and apostrophes."""
    folded = fold_word(name)
    for sep in "-'’.,":
        folded = folded.replace(sep, " ")
    return sorted(set(folded.split()))


def normalise_name(name: str) -> str:
    """Fold case, accents-preserving NFKC, invisible characters and whitespace.

    So 'alex ' and 'Al\u200bex' both find 'Alex'.
    """
    return " ".join(unicodedata.normalize("NFKC", drop_invisible(name)).casefold().split())


def load_key_ring(path: Path) -> KeyRing:
    """Read a key file, refusing a missing one or one other users can read; the ring
    follows the file from then on (see ``KeyRing.reload``)."""
    ring, stamp = _read_key_file(path)
    object.__setattr__(ring, "_source", path)
    object.__setattr__(ring, "_stamp", stamp)
    object.__setattr__(ring, "_checked_at", time.monotonic())
    return ring


def _read_key_file(path: Path) -> tuple[KeyRing, Stamp]:
    """Parse a key file and stamp the very version read (fstat of the open file)."""
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                raise KeyFileError(
                    f"key file {path} is readable by other users (mode {mode:o}); "
                    f"run chmod 600 {path}"
                )
            raw = fh.read()
    except FileNotFoundError:
        raise KeyFileError(
            f"key file {path} does not exist; create one with `casenotes keys new`"
        ) from None
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path} ({exc.strerror})") from None
    return KeyRing.from_json(raw.decode("utf-8", errors="replace")), _stamp_of(info)


def _stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@contextmanager
def key_file_lock(path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``<key file>.lock`` so key commands run one at a time and
    each re-reads the file under it (two rotations at once would otherwise drop a key).

    Readers (the bot) take no lock: the file is only ever replaced whole (os.replace).
    ``on_wait`` is called once if another command holds the lock.
    """
    lock = path.with_name(f"{path.name}.lock")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise KeyFileError(f"cannot lock the key file: {lock} ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the lock file stays (deleting it would race)


def write_key_ring(path: Path, ring: KeyRing, *, overwrite: bool) -> None:
    """Write the key file with mode 0600, atomically; refuse to clobber unless rotating."""
    if path.exists() and not overwrite:
        raise KeyFileError(f"key file {path} already exists; refusing to overwrite it")
    # The folder holds the key (and, by default, the database): nobody else may list it.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(ring.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
