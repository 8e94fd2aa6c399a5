"""The one place configuration is read: environment variables prefixed ``TAX_INTAKE_``
(plus the conventional ``DATABASE_URL``, ``REDIS_URL`` and ``STORE_DIR``).

Embedded defaults run everything on one machine under ``./var``: a SQLite file, a local
document store and a private Redis on a unix socket that the service starts itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: R20: images and recognition data are kept five days at most. The setting may shorten
#: the period, never lengthen it.
MAX_RETENTION_DAYS = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAX_INTAKE_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TAX_INTAKE_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "TAX_INTAKE_REDIS_URL")
    )
    store_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("STORE_DIR", "TAX_INTAKE_STORE_DIR")
    )

    #: The master key that wraps every document's data key (R23): base64 or hex of 32 bytes,
    #: from a file (preferred: a secret mounted read-only) or the environment. Development
    #: (no DATABASE_URL) falls back to ``var/master.key``, created on first use.
    master_key_file: Path | None = None
    master_key: SecretStr | None = None

    retention_days: float = MAX_RETENTION_DAYS
    max_upload_bytes: int = 100 * 1024 * 1024
    max_pages: int = 50
    #: A RECEIVED document with no job in the queue for this long is enqueued again.
    enqueue_grace_seconds: int = 30
    reconcile_every_seconds: int = 60
    purge_every_seconds: int = 600
    queue_name: str = "ocr"
    job_timeout_seconds: int = 600

    host: str = "127.0.0.1"
    port: int = 8000
    session_secret: str | None = None
    #: Set when the service is reached over HTTPS (behind a TLS proxy): the session cookie is
    #: then sent over HTTPS only.
    cookie_secure: bool = False
    #: Confidence below which a field is put in front of a person.
    review_threshold: float = 0.90
    #: Comma-separated engines: PP-OCR reads; Tesseract re-reads digits PP-OCR is unsure of.
    ocr_engine: str = "ppocr,tesseract"
    #: Where PP-OCR's network runs: "auto" (OpenVINO in bfloat16 on CPUs that have it, else
    #: ONNX Runtime), "openvino" (bfloat16 where the CPU has it, else float32) or
    #: "onnxruntime" (float32).
    ocr_runtime: str = "auto"

    @field_validator("retention_days")
    @classmethod
    def _retention_within_limit(cls, value: float) -> float:
        if not 0 < value <= MAX_RETENTION_DAYS:
            raise ValueError(
                f"retention_days must be above 0 and at most {MAX_RETENTION_DAYS:g} (R20);"
                f" got {value}"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'tax-intake.sqlite3').resolve()}"

    @property
    def resolved_store_dir(self) -> Path:
        return (self.store_dir or self.var_dir / "store").resolve()

    @property
    def redis_socket(self) -> Path:
        """Unix socket of the private Redis started by ``serve`` when no REDIS_URL is set."""
        return (self.var_dir / "redis.sock").resolve()

    @property
    def resolved_redis_url(self) -> str:
        return self.redis_url or f"unix://{self.redis_socket}"

    @property
    def development(self) -> bool:
        """The embedded set-up: no external database configured."""
        return self.database_url is None

    @property
    def development_key_file(self) -> Path:
        return (self.var_dir / "master.key").resolve()

    @property
    def scratch_dir(self) -> Path:
        return (self.var_dir / "scratch").resolve()


@lru_cache
def get_settings() -> Settings:
    return Settings()
