"""Bearer tokens at the HTTP layer: the store endpoints of the resolution API need a token
with a scope (``provenance registry token create``); 401 without a valid one, 403 without
the scope (RFC 6750 ``WWW-Authenticate`` on both)."""

from __future__ import annotations

from starlette.requests import Request

from provenance.registry.base import Registry
from provenance.registry.tokens import TokenInfo, authenticate
from provenance.server.errors import ServerError

__all__ = ["bearer", "check_scope"]

#: Longest Authorization header value looked at.
_MAX_HEADER = 512


def bearer(request: Request) -> str | None:
    """The bearer token of ``request``, or None."""
    header = request.headers.get("authorization", "")
    if len(header) > _MAX_HEADER:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check_scope(reg: Registry, token: str | None, scope: str) -> TokenInfo:
    """The token's record when it is valid and holds ``scope``.

    Raises:
        ServerError: 401 no token, or one that is unknown, revoked or malformed; 403 a valid
            token without ``scope``.
    """
    if token is None:
        raise ServerError(401, "unauthorized",
                          f"this needs a bearer token with the {scope} scope; make one with "
                          "`provenance registry token create`",
                          headers={"WWW-Authenticate": f'Bearer scope="{scope}"'})
    info = authenticate(reg, token)
    if info is None:
        raise ServerError(401, "unauthorized",
                          "the bearer token is not valid (unknown, revoked or mistyped)",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if scope not in info.scopes:
        raise ServerError(403, "forbidden",
                          f"the token lacks the {scope} scope; make one that has it",
                          headers={"WWW-Authenticate":
                                   f'Bearer error="insufficient_scope", scope="{scope}"'})
    return info
