"""Typed settings read from `HINDSIGHT_*` environment variables (or a `.env` file).

The defaults run the embedded setup: SQLite and the index under `./data`. Nothing here is
read at import time; `Settings()` is built by the command line or by the app factory's caller.
"""

from pathlib import Path
from typing import Any, Literal

import limits
from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

MIB = 1024 * 1024
# A bootstrap key is an admin password that never expires: long enough not to be guessed.
MIN_ADMIN_TOKEN_CHARS = 32


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
    # How often expired idempotency records are deleted (and once at start).
    housekeeping_seconds: float = Field(3600, gt=0)
    # The longest life of a user token; a token created without an expiry gets this one.
    token_max_days: int = Field(365, ge=1, le=36_500)
    # Waiting for the SQLite write lock beats failing with "database is locked".
    sqlite_busy_timeout_ms: int = Field(30_000, ge=0)
    log_level: str = "INFO"
    # Attachment text is read in a child process per file, within these limits.
    text_cpu_seconds: int = Field(10, ge=1)
    text_memory_mib: int = Field(512, ge=64)
    text_timeout_seconds: float = Field(60, gt=0)
    # How often the text worker looks for pending files besides being woken by uploads.
    text_poll_seconds: float = Field(5, gt=0)
    # Wrong bearer tokens allowed per client address (the `limits` notation) before a 429.
    auth_failure_limit: str = "20/minute"
    # Requests served at once per process; one more is a 503 at once rather than a queue.
    max_concurrency: int = Field(64, ge=1)
    # A client that has not sent its request headers within this is disconnected.
    header_timeout_seconds: float = Field(30, gt=0)
    # Web pages: a session lasts this long from sign-in, whatever is done with it.
    web_session_hours: int = Field(12, ge=1, le=24 * 30)
    # Behind a proxy that terminates TLS, its X-Forwarded-Proto says whether the browser used
    # https (and so whether the session cookie is Secure). Off: any client could send it.
    web_trust_forwarded_proto: bool = False
    # Failed sign-ins, in the `limits` notation: per client address, and per email.
    web_sign_in_failures_per_address: str = "20/minute"
    web_sign_in_failures_per_email: str = "5/minute"
    # Push (webhooks, notifications, email): the job runner and where links point.
    run_worker: bool = Field(
        True, description="run background jobs in this process (`serve --no-worker` turns it off)"
    )
    jobs_poll_seconds: float = Field(0.25, gt=0)
    jobs_threads: int = Field(4, ge=1, le=64)
    # A job claimed by a process that died is taken again after this; longer than any
    # handler runs (a webhook attempt times out after 15 s).
    jobs_lease_seconds: float = Field(60.0, ge=1)
    public_url: str = Field(
        "http://127.0.0.1:8000", description="base of the links in webhooks and emails"
    )
    webhooks_allow_private: bool = Field(
        False, description="let webhooks reach private, loopback and link-local addresses"
    )
    smtp_url: SecretStr | None = Field(
        None, description="smtp://host:port or smtp+starttls://user:pass@host:port"
    )
    mail_from: str = "Hindsight <hindsight@localhost>"

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("HINDSIGHT_DATABASE_URL must start with sqlite:// or postgresql")
        return value

    @field_validator("admin_token")
    @classmethod
    def _long_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"HINDSIGHT_ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_CHARS} characters "
                f"(it has {len(value.get_secret_value())}); make one with: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    def __repr_args__(self) -> Any:
        # The URL may carry the database password; a repr (or a log of it) must not.
        for name, value in super().__repr_args__():
            if name == "database_url":
                value = make_url(value).render_as_string(hide_password=True)
            yield name, value

    @field_validator(
        "auth_failure_limit", "web_sign_in_failures_per_address", "web_sign_in_failures_per_email"
    )
    @classmethod
    def _a_rate(cls, value: str, info: ValidationInfo) -> str:
        try:
            limits.parse(value)
        except ValueError as exc:
            raise ValueError(
                f"HINDSIGHT_{(info.field_name or '').upper()}: {value!r} is not a rate such as "
                "'5/minute' or '20 per hour'"
            ) from exc
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def admin_secret(self) -> str | None:
        return self.admin_token.get_secret_value() if self.admin_token else None
