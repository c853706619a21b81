"""Typed settings read from `HINDSIGHT_*` environment variables (or a `.env` file).

The defaults run the embedded setup: SQLite and the index under `./data`. Nothing here is
read at import time; `Settings()` is built by the command line or by the app factory's caller.
"""

from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HINDSIGHT_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = Field(
        "sqlite:///./data/hindsight.db",
        description="sqlite:///path or postgresql+psycopg://user@host/db",
    )
    index_dir: Path = Path("./data/index")
    search_backend: Literal["tantivy", "whoosh", "postgres"] = "tantivy"
    # How often the indexer looks at the outbox; a write is searchable within about this.
    index_poll_seconds: float = Field(0.1, gt=0)
    admin_token: SecretStr | None = Field(
        None, description="bootstrap key accepted as an admin principal; unset disables it"
    )
    # JSON bodies are small; uploads have their own, larger ceiling.
    max_body_bytes: int = Field(1 * MIB, ge=1024)
    max_upload_bytes: int = Field(20 * MIB, ge=1024)
    # A JSON-lines import (admin only) streams to disk and is read line by line, so it may
    # be as large as a whole export: 100,000 NASA-sized lessons make about 400 MiB.
    max_import_bytes: int = Field(1024 * MIB, ge=1024)
    idempotency_ttl_hours: int = Field(24, ge=1)
    # Waiting for the SQLite write lock beats failing with "database is locked".
    sqlite_busy_timeout_ms: int = Field(30_000, ge=0)
    log_level: str = "INFO"
    # Web pages: a session lasts this long from sign-in, whatever is done with it.
    web_session_hours: int = Field(12, ge=1, le=24 * 30)
    # Behind a proxy that terminates TLS, its X-Forwarded-Proto says whether the browser used
    # https (and so whether the session cookie is Secure). Off: any client could send it.
    web_trust_forwarded_proto: bool = False
    # Failed sign-ins, in the `limits` notation: per client address, and per email.
    web_sign_in_failures_per_address: str = "20/minute"
    web_sign_in_failures_per_email: str = "5/minute"

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("HINDSIGHT_DATABASE_URL must start with sqlite:// or postgresql")
        return value

    @field_validator("web_sign_in_failures_per_address", "web_sign_in_failures_per_email")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            message = f"{value!r} is not a rate such as '5/minute' or '20 per hour'"
            raise ValueError(message) from exc
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def admin_secret(self) -> str | None:
        return self.admin_token.get_secret_value() if self.admin_token else None
