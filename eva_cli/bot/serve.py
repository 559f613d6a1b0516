"""`eva serve-telegram` as a library call: check settings cheaply, open the store, load the backend, run."""

from __future__ import annotations

import asyncio
import logging
import sys

from eva_cli.bot.config import BotConfig
from eva_cli.bot.redact import install_redaction, redact
from eva_cli.errors import EvaError

log = logging.getLogger("eva.bot")


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    """Timestamped logs on stderr; tokens are redacted at record creation (see redact.py)."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    root = logging.getLogger()
    if not any(getattr(h, "_eva", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._eva = True
        root.addHandler(handler)
    root.setLevel(level)
    # aiogram logs every update at INFO; keep that for --verbose.
    logging.getLogger("aiogram.event").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def open_store(workspace, settings, insecure: bool = False, store: str | None = None):
    """The encrypted conversation store (needs EVA_DATA_KEY): `store` (--store, else EVA_STORE_URL), a
    postgresql:// URL that replicas share or a SQLite file; by default workspace/bot/eva.sqlite."""
    from urllib.parse import urlsplit

    from eva_cli.store import open_store as open_target

    key = settings.data_key.get_secret_value() if settings.data_key else None
    if key:
        install_redaction(key)
    target = store or settings.store_url
    if target:
        password = urlsplit(target).password if "://" in target else None
        if password:
            install_redaction(password)
    else:
        workspace.bot_dir.mkdir(parents=True, exist_ok=True)
        target = workspace.bot_db
    return open_target(target, key, insecure=insecure, retention_days=settings.retention_days)


def serve(config: BotConfig, backend_options, conversation, *, workspace, settings, insecure: bool = False,
          console=None, store_url: str | None = None) -> None:
    """Run the bot until SIGTERM/SIGINT. Raises EvaError for anything the operator can fix."""
    from eva_cli.backends.factory import build_backend
    from eva_cli.bot.app import BotApp

    install_redaction(config.token, config.webhook_secret)
    store = open_store(workspace, settings, insecure, store_url)  # refuses to start without EVA_DATA_KEY
    try:
        backend = build_backend(backend_options, workspace, settings.home_dir, default_model=settings.model)
    except BaseException:
        store.close()
        raise
    if console is not None:
        where = config.api_server or "api.telegram.org"
        how = f"webhook {config.webhook_url} (listening on {config.webhook_host}:{config.webhook_port})" \
            if config.webhook_url else "long polling"
        console.print(f"Eva: {backend.name} backend ({getattr(backend, 'label', '')}), {how} via {where}, "
                      f"conversations in {store.where}{' (UNENCRYPTED)' if insecure else ''}. "
                      "Ctrl-C or SIGTERM stops after the replies in flight.", highlight=False, soft_wrap=True)
    app = BotApp(config, backend, store, conversation)
    try:
        asyncio.run(app.run())
    except EvaError:
        raise
    except Exception as exc:  # a bug; never let a token-bearing message reach the terminal
        log.error("the bot stopped", exc_info=True)  # redacted
        raise RuntimeError(f"the bot stopped: {type(exc).__name__}: {redact(str(exc))}") from None
