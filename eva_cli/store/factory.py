"""Pick the store backend by what --store / EVA_STORE_URL names: a postgresql:// URL or a SQLite file."""

from __future__ import annotations

from pathlib import Path

from eva_cli.errors import InputError
from eva_cli.store.base import Store

PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.lower().startswith(PG_SCHEMES)


def describe(target: str | Path) -> str:
    """The store for messages: a file path, or the URL without its password."""
    if is_postgres(target):
        from eva_cli.store.postgres import redact_url

        return redact_url(str(target))
    return str(target)


def open_store(target: str | Path, key: str | None, *, insecure: bool = False, retention_days: int = 30) -> Store:
    """A PostgresStore for postgresql://..., else a SqliteStore at the path (sqlite:///PATH also accepted)."""
    if is_postgres(target):
        from eva_cli.store.postgres import PostgresStore

        return PostgresStore(str(target), key, insecure=insecure, retention_days=retention_days)
    text = str(target)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        raise InputError(f"--store: {describe(text)} is neither a postgresql:// URL nor a SQLite file path.",
                         "Use postgresql://USER@HOST:5432/DATABASE, or leave --store out for workspace/bot/eva.sqlite.")
    from eva_cli.store.conversation import SqliteStore

    return SqliteStore(Path(text), key, insecure=insecure, retention_days=retention_days)
