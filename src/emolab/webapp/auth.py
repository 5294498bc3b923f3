"""Who is asking: one SQLite connection per request and the caller found by their token."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Header, HTTPException, Request

from emolab.preference.store import PairStore, User

HUMAN_ROLES = ("annotator", "adjudicator")


def open_store(request: Request) -> Iterator[PairStore]:
    # A connection per request: the server runs handlers on several threads, and the store's
    # explicit transactions must not interleave on one shared connection.
    store = PairStore(request.app.state.project)
    try:
        yield store
    finally:
        store.close()


def current_user(authorization: str | None = Header(None),
                 store: PairStore = Depends(open_store)) -> User:
    """The caller, from ``Authorization: Bearer TOKEN``; anything else is 401."""
    scheme, _, token = (authorization or "").partition(" ")
    user = store.user_by_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None or user.role not in HUMAN_ROLES:
        raise HTTPException(401, "a valid personal token is required: open your personal link "
                                 "again (the API wants `Authorization: Bearer TOKEN`)",
                            headers={"WWW-Authenticate": "Bearer"})
    return user
