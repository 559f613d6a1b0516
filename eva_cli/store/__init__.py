"""The bot's encrypted conversation store: one contract (base.Store), SQLite (embedded default) and
PostgreSQL (replicas) backends, picked by `open_store` from a path or a postgresql:// URL."""

from eva_cli.store.base import Store
from eva_cli.store.conversation import ConversationStore, SqliteStore
from eva_cli.store.crypto import new_key
from eva_cli.store.factory import open_store

__all__ = ["ConversationStore", "SqliteStore", "Store", "new_key", "open_store"]
