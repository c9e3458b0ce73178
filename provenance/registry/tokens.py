"""Bearer tokens for the store endpoints of ``provenance serve`` (the C2PA soft-binding
resolution API): made by ``provenance registry token create``, kept in the registry database.

A token reads ``prv_<id>_<secret>``: ``id`` (16 hex digits) names the row, ``secret`` is 32
random bytes (URL-safe base64). Only the SHA-256 of the secret is stored, so the database never
holds a usable token; a presented token is found by its id and its digest compared in constant
time. A revoked token stays listed (with the time of revocation) and never authenticates again.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import re
import secrets
from dataclasses import field

from provenance._record import record
from provenance.errors import InputError
from provenance.registry.base import BadRegistry, Registry, RegistryError

__all__ = [
    "SCOPES",
    "BadScope",
    "NewToken",
    "TokenInfo",
    "authenticate",
    "create_token",
    "list_tokens",
    "parse_scopes",
    "revoke_token",
]

#: The scopes of the resolution API (C2PA 2.4): read, store manifests, store bindings.
SCOPES = ("fetch:manifests", "store:manifests", "store:bindings")

_TOKEN = re.compile(r"prv_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


class BadScope(InputError):
    """A scope the resolution API does not know."""


@record
class TokenInfo:
    """A token as listed: never its secret."""

    id: str
    name: str | None
    scopes: tuple[str, ...]
    created_at: str
    revoked_at: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "scopes": list(self.scopes),
                "created_at": self.created_at, "revoked_at": self.revoked_at}


@record
class NewToken:
    """A token just made: ``token`` is shown once and never stored."""

    info: TokenInfo
    token: str = field(repr=False)


def parse_scopes(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Scopes from ``a,b`` (or a list), checked and deduplicated in :data:`SCOPES` order.

    Raises:
        BadScope: an unknown scope, or none at all.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = {s.strip() for s in items if s.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise BadScope(f"unknown scope {unknown[0]!r}", hint="use " + ", ".join(SCOPES))
    if not wanted:
        raise BadScope("a token needs at least one scope", hint="use " + ", ".join(SCOPES))
    return tuple(s for s in SCOPES if s in wanted)


def _sql(reg: Registry) -> object:
    from provenance.registry._sql import SQLRegistry

    if not isinstance(reg, SQLRegistry):
        raise BadRegistry(f"{reg.source} keeps no tokens",
                          hint="give the server's database: --registry sqlite:///PATH or "
                               "postgresql://...")
    return reg


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _info(row: tuple[object, ...]) -> TokenInfo:
    return TokenInfo(id=str(row[0]), name=row[1] if row[1] is None else str(row[1]),
                     scopes=tuple(str(row[2]).split()), created_at=str(row[3]),
                     revoked_at=None if row[4] is None else str(row[4]))


def _write(reg: Registry, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
    db = _sql(reg)
    db._begin()  # type: ignore[attr-defined]
    try:
        rows: list[tuple[object, ...]] = db._q(sql, params)  # type: ignore[attr-defined]
        db._commit()  # type: ignore[attr-defined]
    except Exception as exc:
        db._rollback()  # type: ignore[attr-defined]
        raise RegistryError(f"{reg.source}: the token store failed: {exc}",
                            hint="check the registry") from exc
    return rows


def create_token(reg: Registry, scopes: tuple[str, ...], *, name: str | None = None) -> NewToken:
    """Make a token with ``scopes`` (see :func:`parse_scopes`) in ``reg``.

    Raises:
        BadScope: an unknown scope.
        BadRegistry: ``reg`` is not a database (a remote registry).
    """
    checked = parse_scopes(scopes)
    token_id = secrets.token_hex(8)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    created = _now()
    _write(reg, "INSERT INTO api_tokens (id, name, digest, scopes, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
           (token_id, name, _digest(secret), " ".join(checked), created))
    return NewToken(TokenInfo(token_id, name, checked, created), f"prv_{token_id}_{secret}")


def list_tokens(reg: Registry) -> list[TokenInfo]:
    """Every token of ``reg``, oldest first (revoked ones too)."""
    db = _sql(reg)
    rows = db._q("SELECT id, name, scopes, created_at, revoked_at FROM api_tokens "  # type: ignore[attr-defined]
                 "ORDER BY created_at, id")
    return [_info(r) for r in rows]


def revoke_token(reg: Registry, token_id: str) -> TokenInfo:
    """Revoke the token ``token_id`` (its id, or the whole token).

    Raises:
        BadRegistry: no such token.
    """
    match = _TOKEN.fullmatch(token_id.strip())
    wanted = match.group(1) if match else token_id.strip()
    rows = _write(reg, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL "
                       "RETURNING id, name, scopes, created_at, revoked_at", (_now(), wanted))
    if rows:
        return _info(rows[0])
    known = [t for t in list_tokens(reg) if t.id == wanted]
    if known:
        return known[0]  # already revoked
    raise BadRegistry(f"no token {wanted!r} in {reg.source}",
                      hint="`provenance registry token list` shows the ids")


def authenticate(reg: Registry, presented: str) -> TokenInfo | None:
    """The token ``presented`` stands for, or None (malformed, unknown, wrong secret or
    revoked). The secret's digest is compared in constant time."""
    match = _TOKEN.fullmatch(presented.strip())
    if match is None:
        return None
    db = _sql(reg)
    rows = db._q("SELECT id, name, scopes, created_at, revoked_at, digest FROM api_tokens "  # type: ignore[attr-defined]
                 "WHERE id = ?", (match.group(1),))
    if not rows:
        return None
    row = rows[0]
    if not hmac.compare_digest(str(row[5]), _digest(match.group(2))) or row[4] is not None:
        return None
    return _info(row[:5])
