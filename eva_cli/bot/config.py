"""Everything `eva serve-telegram` can be told, validated in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from eva_cli.bot.retry import RetryPolicy
from eva_cli.errors import InputError


@dataclass
class BotConfig:
    token: str = field(repr=False)  # from @BotFather; never printed or logged
    api_server: str | None = None  # self-hosted Bot API server base URL (None = api.telegram.org)
    webhook_url: str | None = None  # public HTTPS URL; set = webhook mode, unset = long polling
    webhook_host: str = "0.0.0.0"  # where the webhook HTTP server listens
    webhook_port: int = 8080
    webhook_secret: str | None = field(default=None, repr=False)  # X-Telegram-Bot-Api-Secret-Token
    allowed_users: frozenset[int] = frozenset()  # empty = everyone
    rate_burst: int = 6  # messages a user may send at once...
    rate_window_s: float = 60.0  # ...refilled evenly over this many seconds
    rate_notice_s: float = 10.0  # at most one "slow down" reply per user in this many seconds
    typing_interval_s: float = 4.0  # Telegram shows "typing..." for about 5 s per chat action
    polling_timeout_s: int = 25  # long-poll wait when nothing is in flight
    busy_poll_interval_s: float = 0.5  # re-poll interval while updates are still in flight
    drain_timeout_s: float = 180.0  # on SIGTERM/SIGINT, wait this long for replies being generated
    retention_days: int = 30  # stored conversations older than this are purged
    purge_interval_s: float = 3600.0  # retention purge period
    rewrite_ttl_s: float = 3600.0  # a 👎 waits this long for an optional rewrite
    locale: str | None = None  # crisis-resource region when a user's is unknown
    request_timeout_s: float = 60.0  # one Bot API request
    metrics_port: int | None = None  # /metrics and /healthz on their own port (0 = any free one); the webhook
    metrics_host: str = "0.0.0.0"  # server has them anyway; this is where --metrics-port listens
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        from aiogram.utils.token import TokenValidationError, validate_token

        if not self.token:
            raise InputError("no Telegram bot token.",
                             "Set EVA_TELEGRAM_TOKEN (in the environment or .env) or pass --token; "
                             "get one from @BotFather.")
        try:
            validate_token(self.token)
        except TokenValidationError:
            raise InputError("the Telegram bot token is malformed (expected <digits>:<letters>).",
                             "Copy it again from @BotFather into EVA_TELEGRAM_TOKEN or --token.") from None
        for name, url in (("--api-server", self.api_server), ("--webhook-url", self.webhook_url)):
            if url and urlparse(url).scheme not in ("http", "https"):
                raise InputError(f"{name} must be an http(s) URL (got {url!r}).")
        if not 0 < self.webhook_port < 65536:
            raise InputError(f"--webhook-port must be 1-65535 (got {self.webhook_port}).")
        if self.metrics_port is not None and not 0 <= self.metrics_port < 65536:
            raise InputError(f"--metrics-port must be 1-65535, or 0 for any free port (got {self.metrics_port}).")
        if self.webhook_secret is not None and not _valid_secret(self.webhook_secret):
            raise InputError("EVA_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -.")
        if self.rate_burst < 1 or self.rate_window_s <= 0:
            raise InputError("the rate limit needs a burst of at least 1 and a positive window.")

    @property
    def webhook_path(self) -> str:
        if not self.webhook_url:
            return "/"
        return urlparse(self.webhook_url).path or "/"

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"


def _valid_secret(secret: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret))


def parse_allowed_users(value: str | None) -> frozenset[int]:
    """'123, 456' -> {123, 456}; empty -> everyone."""
    ids = set()
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise InputError(f"--allowed-users: {part!r} is not a Telegram user id (digits only).",
                             "Give ids separated by commas, e.g. --allowed-users 12345,67890.")
        ids.add(int(part))
    return frozenset(ids)
