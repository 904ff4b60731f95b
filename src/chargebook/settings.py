"""Settings from the environment (`CHARGEBOOK_*`); the only module that reads env variables."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "chargebook"


class Settings(BaseSettings):
    """Everything chargebook can be configured with; defaults run with no configuration."""

    model_config = SettingsConfigDict(env_prefix="CHARGEBOOK_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    secret_key: SecretStr | None = None

    wallbox_api_url: str = "https://api.wall-box.com"
    wallbox_auth_url: str = "https://user-api.wall-box.com"
    # Wallbox's documented per-account budget (reference §5.1); partner mode lifts it.
    wallbox_reads_per_minute: int = 3
    wallbox_writes_per_minute: int = 5
    wallbox_partner_mode: bool = False
    # Issue 19: the Easee and Zaptec clouds' base URLs, to point a client at a simulator
    # (None: the brand's real API). A Peblar is reached at the address its owner gives.
    easee_api_url: str | None = None
    zaptec_api_url: str | None = None
    wallbox_timeout_s: float = 20.0
    wallbox_max_retries: int = 4
    # The owner's myWallbox account for the CLI; the web app stores credentials per owner instead.
    wallbox_email: str | None = None
    wallbox_password: SecretStr | None = None
    # ENTSO-E Transparency Platform security token (day-ahead price fallback).
    entsoe_token: SecretStr | None = None
    # The tariff for owners who set none, and for the CLI without an owner (chargebook.tariffs):
    # "dynamic" = (market + surcharge + energy tax) x (1 + VAT), the Dutch 2026 household
    # figures; "fixed" needs TARIFF_PRICE, "day_night" TARIFF_NORMAL and TARIFF_LOW (EUR/kWh,
    # VAT included). Low hours in Dutch local time (21:00 in Noord-Brabant and Limburg).
    tariff_kind: Literal["fixed", "dynamic", "day_night"] = "dynamic"
    tariff_price_eur_per_kwh: Decimal | None = None
    tariff_supplier_surcharge_eur_per_kwh: Decimal = Decimal("0.0200")
    tariff_energy_tax_eur_per_kwh: Decimal = Decimal("0.09160")
    tariff_vat_rate: Decimal = Decimal("0.21")
    tariff_normal_eur_per_kwh: Decimal | None = None
    tariff_low_eur_per_kwh: Decimal | None = None
    tariff_low_from: time = time(23, 0)
    tariff_low_until: time = time(7, 0)
    tariff_low_weekends: bool = True
    tariff_low_holidays: bool = True
    # Local OCPP central system (ws://HOST:PORT/<charge point id>; subprotocol ocpp1.6 or
    # ocpp2.0.1, negotiated per connection). Loopback unless configured: chargers on the LAN
    # need CHARGEBOOK_OCPP_HOST=0.0.0.0 (or the LAN address); behind a reverse proxy on the
    # same host, loopback is what is wanted.
    ocpp_host: str = "127.0.0.1"
    ocpp_port: int = 8887
    # Security profile (OCPP security whitepaper; docs/ocpp-tls.md): 1 = Basic auth over ws://,
    # 2 = TLS + Basic auth, 3 = TLS + client certificates (CN = charge point id) from
    # `ocpp_tls_client_ca`. 2 and 3 serve wss:// with `ocpp_tls_cert`/`ocpp_tls_key`, or (2
    # only) plain ws:// to a TLS-terminating proxy listed in `ocpp_trusted_proxies`.
    ocpp_security_profile: int = Field(default=1, ge=1, le=3)
    ocpp_tls_cert: Path | None = None  # PEM certificate chain (server certificate first)
    ocpp_tls_key: Path | None = None  # PEM private key of that certificate
    ocpp_tls_client_ca: Path | None = None  # PEM CA certificate(s) for profile 3
    # The CA that signs chargers' CSRs (SignCertificate, docs/ocpp-tls.md): its certificate
    # (then any intermediates, sent along in CertificateSigned) and private key, PEM. Often
    # the same CA as `ocpp_tls_client_ca`, so signed chargers can connect with profile 3.
    ocpp_csr_ca_cert: Path | None = None
    ocpp_csr_ca_key: Path | None = None
    # The organisation (O) a charger's CSR must name (its CpoName / A00.FR.509); None: any.
    ocpp_cpo_name: str | None = None
    ocpp_certificate_validity_days: int = Field(default=365, ge=1, le=3650)
    # Hand verified charger secrets to the next process at a clean stop (encrypted, deleted
    # when read; central_system/warm_restart.py says the trade-off): a fleet reconnecting after
    # a restart then costs no argon2. Off by default.
    ocpp_warm_restart: bool = False
    # Peers (IP addresses) whose X-Forwarded-Proto/-For headers are believed; nobody else's.
    ocpp_trusted_proxies: list[str] = Field(default_factory=list)
    # Home LAN only: register unknown charge point ids as unclaimed chargers instead of refusing.
    ocpp_accept_unknown: bool = False
    ocpp_heartbeat_interval_s: int = 300
    ocpp_response_timeout_s: float = 30.0
    ocpp_max_frame_bytes: int = 65_536
    # The address chargers dial, as they must type it (behind a router or a TLS proxy the
    # bind address is not it), e.g. ws://192.168.1.20:8887/ or wss://ocpp.example.nl/.
    # The charge point id is added to it. None = guessed from the host name the browser used.
    ocpp_public_url: str | None = None
    # Web app (`chargebook serve`). Secure cookies: None = when the request came over https.
    web_cookie_secure: bool | None = None
    web_session_days: int = 14
    # Who may make an account on the sign-in page: "open" (anyone who reaches the web app,
    # at most `signup_per_client_per_hour` attempts from one IP) or "closed" (only the operator,
    # with `chargebook users add`). A household closes it once its accounts exist.
    signup: Literal["open", "closed"] = "open"
    signup_per_client_per_hour: int = Field(default=10, ge=1)
    # Sign-in throttling (web/login_throttle.py): free failures, then delays doubling from 1 s.
    # Failures are remembered for the window; the delays are capped, there is no lockout.
    web_login_window_s: int = Field(default=60 * 60, ge=60)
    web_login_free_failures: int = Field(default=3, ge=1)  # per account and client
    web_login_max_delay_s: int = Field(default=15 * 60, ge=1)
    web_login_client_free_failures: int = Field(default=20, ge=1)  # per client, any account
    web_login_account_free_failures: int = Field(default=10, ge=1)  # per account, any client
    web_login_account_max_delay_s: int = Field(default=30, ge=1)
    # In-process scheduler (account sync + recorder) inside `serve`: None = only on SQLite
    # (on PostgreSQL, `chargebook worker` processes do the jobs).
    web_run_scheduler: bool | None = None
    # How often that scheduler re-reads the accounts (new ones get jobs, disabled ones stop).
    web_accounts_check_s: float = 60.0
    # Start the OCPP central system (ocpp_host:ocpp_port) alongside the web app.
    web_run_central_system: bool = True
    # Run the smart-charging controllers (chargers with an active plan) inside `serve`.
    web_run_smart_charging: bool = True
    # `chargebook worker` (PostgreSQL job queue, see chargebook.jobs.queue). Cron strings
    # (5 fields, or 6 with seconds last); each tick is deferred once for the whole cluster.
    worker_concurrency: int = 4
    worker_sync_cron: str = "*/15 * * * *"
    # The recorder job re-defers itself at the recorder's own pace; this tick only restarts
    # accounts that have no pending recording job (new accounts, a chain lost to a crash).
    worker_record_cron: str = "*/5 * * * *"
    worker_stalled_cron: str = "* * * * *"
    # A worker whose heartbeat is older than this is dead; its running jobs are retried.
    worker_heartbeat_interval_s: float = 10.0
    worker_stalled_after_s: float = 30.0
    worker_max_attempts: int = 6
    worker_retry_base_s: float = 5.0
    # SIGTERM/SIGINT: running jobs get this long to finish, then they are cancelled.
    worker_shutdown_grace_s: float = 30.0
    # Where `ere_statements` jobs write their CSV and PDFs (None = <data_dir>/statements).
    worker_statements_dir: Path | None = None
    # Sync engine steps for every door (`serve`'s scheduler and backfills, the worker,
    # `chargebook sync`'s defaults, the demo; `account_sources.sync_config`): history window
    # per request, sessions per transaction. The window spans the whole history: paged, one
    # read per 1,000 sessions (issue 15). (Named `worker_*` for the settings already in use.)
    worker_sync_window_days: float = 3653.0
    worker_sync_batch_size: int = 1000
    worker_sync_history_years: float = 10.0
    # ERE payouts: the operator's bank account the SEPA credit transfer file (pain.001)
    # debits. Name as the bank knows it; the IBAN is checked (schwifty) when a file is built;
    # the BIC is optional (derived from the IBAN where schwifty knows the bank).
    operator_name: str | None = None
    operator_iban: str | None = None
    operator_bic: str | None = None
    # MQTT bridge with Home Assistant discovery (`chargebook.mqtt`, docs/home-assistant.md):
    # mqtt://user:password@host:1883, or mqtts:// for TLS; None = no bridge. A secret (it holds
    # the broker's password): never logged, checked when the bridge starts.
    mqtt_url: SecretStr | None = None
    mqtt_prefix: str = "chargebook"  # state and command topics: <prefix>/charger/<id>/...
    mqtt_discovery_prefix: str = "homeassistant"  # Home Assistant's discovery prefix
    mqtt_interval_s: float = Field(default=60.0, ge=1)  # how often states are refreshed
    # Whose chargers and credits the bridge publishes and takes commands for: comma-separated
    # e-mail addresses; empty = every owner of this chargebook.
    mqtt_owners: str = ""
    # False: publish only (no command topics, every command refused).
    mqtt_commands: bool = True
    # Webhooks and notifications (chargebook.hooks, docs/webhooks.md). Private, loopback and
    # link-local targets (and plain http to loopback) only when allowed: tests and development.
    webhook_allow_private_networks: bool = False
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_retry_base_s: float = Field(default=30.0, ge=0)
    webhook_disable_after_failures: int = Field(default=20, ge=1)
    webhook_disable_after_hours: float = Field(default=24.0, gt=0)
    webhook_dispatch_interval_s: float = Field(default=5.0, gt=0)  # serve (SQLite)
    worker_hooks_cron: str = "* * * * *"  # workers (PostgreSQL)

    @field_validator("wallbox_api_url", "wallbox_auth_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Caught here, a typo is a configuration error naming the variable, not a crash in httpx.
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018  (raises ValueError on a bad port)
        except ValueError:
            raise ValueError("not a URL; use e.g. https://api.wall-box.com") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL; use e.g. https://api.wall-box.com")
        return value

    @field_validator("easee_api_url", "zaptec_api_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return cls._http_url(value)

    @field_validator("ocpp_public_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        # A charger cannot be told "check your settings": refuse a bad address at start-up.
        if value is None or not value.strip():
            return None
        example = "use e.g. ws://192.168.1.20:8887/"
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018  (raises ValueError on a bad port)
        except ValueError:
            raise ValueError(f"not a URL; {example}") from None
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError(f"not a ws:// or wss:// URL; {example}")
        if parts.query or parts.fragment:
            raise ValueError(f"the charger's address has no ?query or #fragment; {example}")
        base = value.strip()
        return base if base.endswith("/") else base + "/"

    @cached_property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'chargebook.sqlite3'}"


def load_settings() -> Settings:
    """Read settings from the environment."""
    return Settings()
