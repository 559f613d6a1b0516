"""Settings: flags first, then environment (EVA_*), then `.env`, then defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EvaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVA_", env_file=".env", extra="ignore")

    workspace: Path = Path("workspace")
    home: Path = Path("~/.cache/eva")  # embedded model cache
    model: str = "embedded"

    telegram_token: SecretStr | None = None
    api_server: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    allowed_users: str = ""  # comma-separated Telegram user ids; empty = everyone

    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str | None = None

    data_key: SecretStr | None = None  # Fernet key for the bot store
    store_url: str | None = None  # the bot store: a postgresql:// URL (replicas); unset = workspace/bot/eva.sqlite
    retention_days: int = 30
    default_locale: str = "UA"  # crisis-resource region when the user gives none

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser()


def load_settings(**overrides) -> EvaSettings:
    """Settings with explicit (flag) values on top; None means 'not given'."""
    return EvaSettings(**{k: v for k, v in overrides.items() if v is not None})
