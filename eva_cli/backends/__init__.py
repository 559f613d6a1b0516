"""Model backends behind one small interface (`Backend`): `local` (transformers) and `openai`."""

from __future__ import annotations

from eva_cli.backends.base import Backend, BackendError, GenerationTimeout, Reply, approx_tokens

__all__ = ["Backend", "BackendError", "GenerationTimeout", "Reply", "approx_tokens"]
