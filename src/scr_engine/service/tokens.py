"""The service's bearer tokens: each bound to one actor of the actors file, kept only
as a hash.

A token is 32 random bytes, shown once when issued (``scr token issue ACTOR``) as
``scr_`` and 43 URL-safe characters. The tokens file (``scr-tokens.json``, beside the
actors file) keeps for each token its id, its actor, when it was issued and revoked,
and the SHA-256 of the token; never the token itself. A request's token is hashed and
compared with every kept hash in constant time (:func:`hmac.compare_digest`), so that
neither a wrong token nor a right one is told apart by the time it takes.

The file is read again whenever it changes: a token revoked (``scr token revoke ID``)
is refused from the next request on, without restarting the service.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attrs import evolve, frozen

__all__ = ["PREFIX", "TOKENS_FILE", "TokenEntry", "TokenFile", "hash_token"]

TOKENS_FILE = "scr-tokens.json"
"""The tokens file's name, kept beside the actors file."""

PREFIX = "scr_"
"""How every token starts (so that a leaked one is recognisable in a scan)."""


def hash_token(token: str) -> str:
    """The SHA-256 of a token, hex: what the tokens file keeps."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@frozen
class TokenEntry:
    """One token as the tokens file keeps it (its hash, never the token)."""

    id: str
    """A short id that names the token in ``scr token list`` and ``revoke``."""
    actor: str
    """The actor of the actors file the token acts as."""
    sha256: str
    """The SHA-256 of the token, hex."""
    issued_at: str
    """When it was issued (ISO 8601, UTC)."""
    revoked_at: str | None = None
    """When it was revoked (None while it is valid)."""

    def to_json(self) -> dict[str, Any]:
        """The entry as the file holds it."""
        return {
            "id": self.id,
            "actor": self.actor,
            "sha256": self.sha256,
            "issued_at": self.issued_at,
            "revoked_at": self.revoked_at,
        }


class TokenFile:
    """The tokens file at ``path`` (created when the first token is issued)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._entries: tuple[TokenEntry, ...] = ()

    # ------------------------------------------------------------- reading

    def entries(self) -> tuple[TokenEntry, ...]:
        """Every token of the file, valid or revoked, oldest first (read again when
        the file has changed; none when there is no file)."""
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._seen, self._entries = None, ()
                return ()
            seen = (stat.st_mtime_ns, stat.st_size)
            if seen != self._seen:
                self._entries = self._read()
                self._seen = seen
            return self._entries

    def _read(self) -> tuple[TokenEntry, ...]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            rows = data["tokens"]
            return tuple(
                TokenEntry(
                    str(row["id"]),
                    str(row["actor"]),
                    str(row["sha256"]),
                    str(row["issued_at"]),
                    row.get("revoked_at"),
                )
                for row in rows
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{self.path} is not a valid tokens file: {exc}") from None

    def actor_of(self, token: str) -> str | None:
        """The actor a valid token acts as; None for a wrong or revoked token. Every
        kept hash is compared, in constant time."""
        given = hash_token(token)
        found: str | None = None
        for entry in self.entries():
            if hmac.compare_digest(given, entry.sha256) and entry.revoked_at is None:
                found = entry.actor
        return found

    # ------------------------------------------------------------- writing

    def issue(self, actor: str, *, now: datetime | None = None) -> tuple[TokenEntry, str]:
        """A new token for ``actor``: its entry (kept in the file) and the token itself
        (shown once, kept nowhere)."""
        token = PREFIX + secrets.token_urlsafe(32)
        at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        entry = TokenEntry("t-" + secrets.token_hex(4), actor, hash_token(token), at)
        self._write((*self.entries(), entry))
        return entry, token

    def revoke(self, token_id: str, *, now: datetime | None = None) -> TokenEntry | None:
        """Revoke the token with this id; its entry, or None when there is none. A
        token already revoked stays revoked as it was."""
        entries = list(self.entries())
        for index, entry in enumerate(entries):
            if entry.id == token_id:
                if entry.revoked_at is None:
                    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
                    entries[index] = evolve(entry, revoked_at=at)
                    self._write(tuple(entries))
                return entries[index]
        return None

    def _write(self, entries: tuple[TokenEntry, ...]) -> None:
        """Replace the file at once (a new file renamed over it), readable by its owner
        only."""
        text = json.dumps({"tokens": [e.to_json() for e in entries]}, indent=2) + "\n"
        temporary = self.path.with_name(self.path.name + f".{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, self.path)
