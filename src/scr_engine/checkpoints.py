"""Signed checkpoints of a whole store (PR-d): what an attacker without the key
cannot rewrite.

A :class:`Checkpoint` lists every review's head — ``(review id, sequence, hash of
its last event)`` — commits to that list with one Merkle root (RFC 6962 hashing:
``SHA-256(0x00 ‖ leaf)`` for a leaf, ``SHA-256(0x01 ‖ left ‖ right)`` for a node, so
that one review's inclusion can be proved with a logarithmic path), and is signed
with the Board's Ed25519 key. The key stays outside the database; the Board keeps a
copy of each checkpoint elsewhere too (a file, the minutes, another system), and
anyone holding the *public* key can check it without being able to forge one.

Since every event's hash covers the event before it, a checkpoint's head of a review
pins every event up to it: editing, inserting, deleting, reordering or truncating
any of them, or restoring an older copy of the review, makes the store disagree with
the checkpoint (:meth:`ReviewEngine.verify <scr_engine.ReviewEngine.verify>`).

Signing and checking need the ``integrity`` extra (``pip install
'scr_engine[integrity]'``, the ``cryptography`` package); building, reading and
comparing checkpoints do not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from attrs import frozen

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.serialization import canonical_json

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "Checkpoint",
    "CheckpointEntry",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "merkle_root",
    "public_key_pem",
    "sign_checkpoint",
    "signature_ok",
]

_TAG = "scr-checkpoint:1"


class CheckpointEntry(NamedTuple):
    """One review as a checkpoint saw it: its last event's sequence and hash (a named
    tuple: a checkpoint holds one per review, tens of thousands)."""

    review_id: str
    sequence: int
    head: str

    def leaf(self) -> bytes:
        """The Merkle leaf: the canonical JSON of ``[review_id, sequence, head]``."""
        return _leaf(self.review_id, self.sequence, self.head)


_json_text = json.encoder.encode_basestring  # what canonical JSON makes of a str


def _leaf(review_id: str, sequence: int, head: str) -> bytes:
    """``canonical_json([review_id, sequence, head])``, made directly."""
    return f"[{_json_text(review_id)},{int(sequence)},{_json_text(head)}]".encode()


def merkle_root(entries: Sequence[CheckpointEntry]) -> str:
    """The RFC 6962 Merkle tree hash (hex) of the entries' leaves, in order
    (``SHA-256("")`` for none). Built level by level: an odd node is carried up
    unchanged, which gives RFC 6962's tree for every size."""
    if not entries:
        return hashlib.sha256(b"").hexdigest()
    sha = hashlib.sha256
    level = [sha(b"\x00" + _leaf(e.review_id, e.sequence, e.head)).digest() for e in entries]
    while len(level) > 1:
        paired = [
            sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


@frozen
class Checkpoint:
    """A signed statement of every review's head at one moment.

    ``entries`` are sorted by review id; ``root`` is their :func:`merkle_root`;
    ``key_id`` names the public key that checks ``signature`` (:func:`key_id`), so
    that keys can be rotated; ``signature`` is Ed25519 over :meth:`message`.
    """

    created_at: datetime
    entries: tuple[CheckpointEntry, ...]
    root: str
    key_id: str
    signature: str

    @property
    def events(self) -> int:
        """How many events the checkpoint covers."""
        return sum(entry.sequence for entry in self.entries)

    def message(self) -> bytes:
        """What the signature covers: a tag, the time, the number of reviews and
        events, the root and the key id, as canonical JSON."""
        return message(self.created_at, len(self.entries), self.events, self.root, self.key_id)

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint as JSON-ready primitives."""
        return {
            "format": _TAG,
            "created_at": self.created_at.isoformat(),
            "root": self.root,
            "key_id": self.key_id,
            "signature": self.signature,
            "entries": self.entries,  # named tuples: JSON arrays
        }

    def to_json(self) -> str:
        """The checkpoint as one line of JSON: what to keep outside the database."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        """Read :meth:`to_dict`'s form; :class:`~scr_engine.InvalidRequest` if it does
        not fit."""
        try:
            if data["format"] != _TAG:
                raise ValueError(f"not a checkpoint of format {_TAG}")
            at = datetime.fromisoformat(data["created_at"])
            if at.tzinfo is None:
                raise ValueError("created_at must carry a time zone")
            entries = []
            for review_id, sequence, head in data["entries"]:
                if not (
                    isinstance(review_id, str)
                    and isinstance(head, str)
                    and type(sequence) is int
                    and sequence > 0
                ):
                    raise ValueError(f"malformed entry {[review_id, sequence, head]!r}")
                entries.append(CheckpointEntry(review_id, sequence, head))
            fields = (data["root"], data["key_id"], data["signature"])
            if not all(isinstance(value, str) for value in fields):
                raise ValueError("root, key_id and signature must be text")
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequest(
                "checkpoint",
                [Refusal("PR-d", f"not a readable checkpoint: {exc}", RefusalKind.INPUT)],
            ) from exc
        return cls(at, tuple(entries), *fields)

    @classmethod
    def from_json(cls, text: str | bytes) -> Checkpoint:
        """Read :meth:`to_json`'s form."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidRequest(
                "checkpoint",
                [Refusal("PR-d", f"not a readable checkpoint: {exc}", RefusalKind.INPUT)],
            ) from exc
        return cls.from_dict(data)


def message(created_at: datetime, reviews: int, events: int, root: str, key: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    body = {
        "format": _TAG,
        "created_at": created_at.isoformat(),
        "reviews": reviews,
        "events": events,
        "root": root,
        "key_id": key,
    }
    return canonical_json(body).encode("utf-8")


# --------------------------------------------------------------------------- keys


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "signed checkpoints need the cryptography package: pip install 'scr_engine[integrity]'"
        ) from exc
    return serialization, ed25519


def generate_key() -> bytes:
    """A new Ed25519 signing key as unencrypted PKCS#8 PEM. Keep it outside the
    database (a file readable only by whoever takes checkpoints, a key vault)."""
    serialization, ed25519 = _crypto()
    key = ed25519.Ed25519PrivateKey.generate()
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


def load_private_key(pem: bytes | str, password: bytes | None = None) -> Ed25519PrivateKey:
    """An Ed25519 signing key from PEM; :class:`~scr_engine.InvalidRequest` if it is
    not one."""
    serialization, ed25519 = _crypto()
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise _key_error(f"not a readable private key: {exc}") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise _key_error("the signing key must be an Ed25519 key")
    private: Ed25519PrivateKey = key
    return private


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; :class:`~scr_engine.InvalidRequest` if not."""
    serialization, ed25519 = _crypto()
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise _key_error(f"not a readable public key: {exc}") from exc
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise _key_error("the public key must be an Ed25519 key")
    public: Ed25519PublicKey = key
    return public


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The public half of a key, as SubjectPublicKeyInfo PEM (what an auditor needs)."""
    serialization, _ = _crypto()
    public = _public(key)
    pem: bytes = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A public key's id: the first 16 hex digits of SHA-256 of its raw 32 bytes."""
    serialization, _ = _crypto()
    public = _public(key)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    _, ed25519 = _crypto()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        public: Ed25519PublicKey = key.public_key()
        return public
    if isinstance(key, ed25519.Ed25519PublicKey):
        given: Ed25519PublicKey = key
        return given
    raise _key_error(f"not an Ed25519 key: {type(key).__name__}")


def _key_error(message: str) -> InvalidRequest:
    return InvalidRequest("key", [Refusal("PR-d", message, RefusalKind.INPUT)])


def _by_review(entry: CheckpointEntry) -> str:
    return entry.review_id


def sign_checkpoint(
    entries: Sequence[CheckpointEntry], created_at: datetime, key: Ed25519PrivateKey
) -> Checkpoint:
    """A checkpoint of ``entries`` (sorted here by review id), signed with ``key``."""
    _, ed25519 = _crypto()
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise _key_error("the signing key must be an Ed25519 private key")
    ordered = tuple(sorted(entries, key=_by_review))
    root = merkle_root(ordered)
    kid = key_id(key)
    events = sum(e.sequence for e in ordered)
    signature = key.sign(message(created_at, len(ordered), events, root, kid)).hex()
    return Checkpoint(created_at, ordered, root, kid, signature)


def signature_ok(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    """Whether ``checkpoint`` was signed by the private half of ``public_key`` and its
    entries are the ones it signed (their root)."""
    _crypto()
    from cryptography.exceptions import InvalidSignature

    if merkle_root(checkpoint.entries) != checkpoint.root:
        return False
    if key_id(public_key) != checkpoint.key_id:
        return False
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True
