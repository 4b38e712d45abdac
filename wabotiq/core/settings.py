"""Settings from the environment and `.env`; every server and provider URL is a setting."""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_JWT_SECRET_BYTES = 32
# The chat providers LLM_CHAIN may name (wabotiq/agent/llm/factory.py builds them).
LLM_PROVIDERS = ("openai", "gemini", "compatible")


class StartupError(RuntimeError):
    """The process cannot start (or go on); the message says why in one line, which is all the
    command line prints."""


class ConfigurationError(StartupError):
    """Raised at start-up when a setting is missing or invalid; the message names it."""


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("wabotiq", appauthor=False))


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            return json.loads(value)
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # Servers. Unset means the embedded default.
    database_url: str | None = None
    redis_url: str | None = None
    elasticsearch_url: str | None = None
    # One shared index per vector dimension and layout: `<prefix>-<dim>-<layout digest>`.
    elasticsearch_index_prefix: str = "wabotiq-search"
    # The server-side `rrf` retriever needs an Enterprise licence; off fuses in Python.
    elasticsearch_server_side_rrf: bool = False
    # Bulk writes, deletes-by-query, refreshes and index creation (retried on timeout); a large
    # tenant's delete on a busy cluster can take minutes. Searches keep the client's 10 s.
    elasticsearch_write_timeout_s: float = Field(default=120.0, gt=0)
    taskiq_queue: str = "wabotiq"
    # Tasks: attempts in all (the first run included), the delay before the first retry (each
    # further one doubles it, up to the cap, plus up to a quarter more of random jitter), the
    # longest one run may take, and how long a Redis stream message may stay unacknowledged
    # before another worker takes it over (above the timeout, or a slow task runs twice).
    task_max_retries: int = Field(default=5, ge=1, le=100)
    task_retry_delay_s: float = Field(default=5.0, gt=0)
    task_retry_max_delay_s: float = Field(default=600.0, gt=0)
    task_timeout_s: float = Field(default=300.0, gt=0)
    task_idle_timeout_s: float = Field(default=600.0, gt=0)
    # How often the scheduler re-reads its schedule sources: a delayed retry on Redis fires up to
    # this late (taskiq's default is a minute).
    scheduler_update_interval_s: int = Field(default=1, ge=1, le=3600)
    data_dir: Path = Field(default_factory=_default_data_dir)
    db_pool_min: int = Field(default=1, ge=0)
    db_pool_max: int = Field(default=10, ge=1)
    db_max_queries: int = Field(default=50_000, ge=1)
    db_max_inactive_lifetime_s: float = Field(default=300.0, gt=0)
    # While the database is unreachable requests get 503 with this `Retry-After`.
    db_retry_after_s: int = Field(default=5, ge=1, le=3600)

    # HTTP.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    introspection: bool = True
    fast_executor: bool = True
    # Peers whose X-Forwarded-For names the real client (addresses or networks); from anyone
    # else the header is ignored, or a client could pick the address it is throttled under.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )

    # Secrets. JWT keys are `{"kid": "secret", ...}`; the active kid signs, all verify.
    jwt_keys: dict[str, str] = Field(default_factory=dict)
    jwt_active_kid: str | None = None
    jwt_issuer: str = "wabotiq"
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=300)
    # Fernet keys, newest first: the first encrypts, all decrypt (rotation).
    field_encryption_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    lookup_hash_key: str | None = None

    # Sign-in throttling: failures that cost nothing, then each doubles the wait (1 s, 2 s …).
    login_free_failures: int = Field(default=5, ge=0)  # one account from one address
    login_free_failures_per_ip: int = Field(default=20, ge=0)  # one address, any accounts
    login_free_failures_per_account: int = Field(default=10, ge=0)  # one account, any address
    login_max_delay_s: int = Field(default=900, ge=1)

    # Limits.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # An uploaded document; multipart requests to /graphql may be this much larger.
    max_document_bytes: int = Field(default=10_485_760, ge=1024)
    max_query_depth: int = Field(default=12, ge=2)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=5_000, ge=100)
    # Bounds on what a document may make validation do, checked before validating it
    # (`graphql/shape.py`). Measured worst cases within these defaults: see that module.
    max_fragments: int = Field(default=20, ge=1)
    max_selections: int = Field(default=300, ge=10)
    max_field_repeats: int = Field(default=10, ge=1)
    max_query_cost: int = Field(default=1_000, ge=1)
    cost_bucket_capacity: int = Field(default=2_000, ge=1)
    cost_restore_rate: float = Field(default=100.0, gt=0)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    migrate_concurrency: int = Field(default=8, ge=1, le=64)
    # Fully migrated schemas kept ready for new tenants (0: every tenant creates its own).
    spare_schemas: int = Field(default=3, ge=0, le=100)
    outbox_sweep_s: float = Field(default=30.0, gt=0)
    max_subscriptions_per_connection: int = Field(default=20, ge=1)

    # WhatsApp providers. PUBLIC_BASE_URL is the address providers call (behind a proxy, the
    # public one): Twilio signs the URL as it called it, and status callbacks point there.
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_api_base_url: str = "https://api.twilio.com"
    whatsapp_graph_base_url: str = "https://graph.facebook.com"
    # Safaricom's Daraja API (M-Pesa): the sandbox until a tenant goes live on
    # https://api.safaricom.co.ke.
    mpesa_base_url: str = "https://sandbox.safaricom.co.ke"
    # Paystack's API; one host for test and live, the secret key (sk_test_/sk_live_) decides.
    paystack_base_url: str = "https://api.paystack.co"
    # Seconds a provider call may take before it counts as failed.
    provider_timeout_s: float = Field(default=15.0, gt=0)
    # Seconds an outbound row may stay `sending` without a provider id before the reconciliation
    # asks the provider what became of it; longer than any provider call can take, so a call
    # still under way is never taken for a lost one.
    outbound_sending_stale_s: float = Field(default=120.0, gt=0)

    # Demo data created by `wabotiq up` on first start.
    demo_tenant_slug: str = "demo"
    demo_owner_email: str = "owner@demo.wabotiq.local"

    # Embeddings. `auto`: OpenAI if its key is set, else Gemini if its key is set, else offline.
    embedder: Literal["auto", "offline", "openai", "gemini"] = "auto"
    openai_api_key: str | None = Field(default=None, repr=False)
    openai_base_url: str = "https://api.openai.com/v1"
    openai_embedding_model: str = "text-embedding-3-small"
    embedding_dim_openai: int | None = Field(default=None, ge=1)  # unset: the model's full size
    gemini_api_key: str | None = Field(default=None, repr=False)
    gemini_base_url: str = "https://generativelanguage.googleapis.com"
    gemini_embedding_model: str = "gemini-embedding-001"
    embedding_dim_gemini: int = Field(default=768, ge=1)

    # Chat models for the agent, asked in LLM_CHAIN order (those without settings are skipped);
    # the offline tier answers when none does. Keys and base URLs are shared with embeddings.
    llm_chain: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["openai", "gemini", "compatible"]
    )
    openai_chat_model: str = "gpt-4o-mini"
    gemini_chat_model: str = "gemini-2.0-flash"
    # Any OpenAI-compatible endpoint (Together, vLLM, ...): used when base URL and model are set.
    llm_compatible_base_url: str | None = None
    llm_compatible_api_key: str | None = Field(default=None, repr=False)
    llm_compatible_model: str | None = None
    llm_timeout_s: float = Field(default=20.0, gt=0)  # one call to one provider
    llm_max_attempts: int = Field(default=3, ge=1, le=10)  # per provider, transient errors only
    llm_retry_initial_s: float = Field(default=0.5, ge=0)
    llm_retry_max_s: float = Field(default=4.0, ge=0)
    llm_breaker_failures: int = Field(default=5, ge=1)  # failures in a row that open a breaker
    llm_breaker_cooldown_s: float = Field(default=30.0, gt=0)  # open this long, then one probe
    # USD per million tokens, `{"model": [input, output]}`: overrides or extends the built-in table.
    llm_prices: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @field_validator(
        "cors_origins", "field_encryption_keys", "trusted_proxies", "llm_chain", mode="before"
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item)
            except ValueError as exc:
                raise ValueError(f"{item!r} is not an IP address or network") from exc
        return value

    @field_validator("llm_chain")
    @classmethod
    def _known_llm_providers(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in LLM_PROVIDERS]
        if unknown:
            raise ValueError(f"unknown provider(s) {unknown}; known: {', '.join(LLM_PROVIDERS)}")
        if len(set(value)) != len(value):
            raise ValueError("names a provider twice")
        return value

    @field_validator("llm_compatible_base_url")
    @classmethod
    def _compatible_url(cls, value: str | None) -> str | None:
        if value and "://" not in value:
            raise ValueError("must be a URL with a scheme, e.g. https://api.together.xyz/v1")
        return value or None

    @field_validator("jwt_keys")
    @classmethod
    def _jwt_keys_long_enough(cls, value: dict[str, str]) -> dict[str, str]:
        for kid, secret in value.items():
            if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
                raise ValueError(f"key {kid!r} is shorter than {MIN_JWT_SECRET_BYTES} bytes")
        return value

    @field_validator("field_encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: list[str]) -> list[str]:
        for index, key in enumerate(value):
            try:
                Fernet(key)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"key #{index} is not a Fernet key: {exc}") from exc
        return value

    @field_validator(
        "public_base_url",
        "twilio_api_base_url",
        "whatsapp_graph_base_url",
        "mpesa_base_url",
        "paystack_base_url",
    )
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("database_url", "redis_url", "elasticsearch_url")
    @classmethod
    def _url_scheme(cls, value: str | None) -> str | None:
        if value and "://" not in value:
            raise ValueError("must be a URL with a scheme, e.g. postgresql://host/db")
        return value or None

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        scheme = urlsplit(value).scheme if value else "postgresql"
        if scheme not in {"postgres", "postgresql"}:
            raise ValueError(f"must be a postgresql:// URL, not {scheme}://")
        return value

    def configured_llm_providers(self) -> list[str]:
        """LLM_CHAIN's providers that have their settings here, in its order: those the agent
        builds (a key for OpenAI and Gemini; a base URL and a model for `compatible`)."""
        configured = {
            "openai": bool(self.openai_api_key),
            "gemini": bool(self.gemini_api_key),
            "compatible": bool(self.llm_compatible_base_url and self.llm_compatible_model),
        }
        return [name for name in self.llm_chain if configured[name]]

    @model_validator(mode="after")
    def _active_kid_known(self) -> Settings:
        if self.jwt_keys and (self.jwt_active_kid or "") not in self.jwt_keys:
            raise ValueError(
                "JWT_ACTIVE_KID must name one of the kids in JWT_KEYS "
                f"(got {self.jwt_active_kid!r}, known {sorted(self.jwt_keys)})"
            )
        if self.db_pool_min > self.db_pool_max:
            raise ValueError("DB_POOL_MIN must not exceed DB_POOL_MAX")
        if self.task_idle_timeout_s <= self.task_timeout_s:
            raise ValueError("TASK_IDLE_TIMEOUT_S must exceed TASK_TIMEOUT_S")
        if self.outbound_sending_stale_s <= self.provider_timeout_s:
            # A send still waiting for its answer would be resent.
            raise ValueError("OUTBOUND_SENDING_STALE_S must exceed PROVIDER_TIMEOUT_S")
        return self

    def require_secrets(self) -> None:
        """Refuse to start without signing and encryption keys."""
        missing = [
            name
            for name, value in (
                ("JWT_KEYS", self.jwt_keys),
                ("FIELD_ENCRYPTION_KEYS", self.field_encryption_keys),
                ("LOOKUP_HASH_KEY", self.lookup_hash_key),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(f"missing setting(s): {', '.join(missing)}")

    def with_local_secrets(self) -> Settings:
        """Fill unset keys from (or into) a secrets file in the data dir, for local runs."""
        if self.jwt_keys and self.field_encryption_keys and self.lookup_hash_key:
            return self
        path = self.data_dir / "secrets.json"
        if path.exists():
            stored = json.loads(path.read_text())
        else:
            stored = generate_secrets()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(stored, indent=2))
        update = {key: value for key, value in stored.items() if not getattr(self, key)}
        return self.model_copy(update=update)


def generate_secrets() -> dict[str, object]:
    """Fresh random keys in the shape the settings expect."""
    kid = "k" + secrets.token_hex(4)
    return {
        "jwt_keys": {kid: base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()},
        "jwt_active_kid": kid,
        "field_encryption_keys": [Fernet.generate_key().decode()],
        "lookup_hash_key": secrets.token_urlsafe(32),
    }


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into a message that names each setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
