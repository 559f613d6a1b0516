"""The bot's encrypted conversation store (SQLite + Fernet). See conversation.py."""

from eva_cli.store.conversation import ConversationStore
from eva_cli.store.crypto import new_key

__all__ = ["ConversationStore", "new_key"]
