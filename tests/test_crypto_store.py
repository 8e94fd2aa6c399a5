"""Encryption at rest (R23, R32): every stored file under its document's own data key,
field values and export files sealed in the database, and no start without a master key."""

from __future__ import annotations

import importlib
import shutil
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text

from intake.errors import ConfigurationError
from intake.settings import Settings, get_settings
from review_ui.sample_data import seed_document
from storage.crypto import DecryptionFailed, master_key, new_key, require_master_key
from storage.db import session_scope
from storage.keys import DocumentKeys, KeyDestroyed
from storage.models import ExportBatch, FieldValue
from storage.store import DocumentStore, get_store

DOC = "a" * 32
SECRET = "山田太郎 123456789018".encode()


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "store", DocumentKeys(tmp_path / "store" / "_keys", new_key()))


def _every_byte(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_files_are_sealed_and_read_back(store: DocumentStore) -> None:
    key = store.put(DOC, "original", SECRET * 10)
    assert store.get(key) == SECRET * 10
    assert SECRET not in _every_byte(store.root)
    assert (store.root / DOC / "original").read_bytes().startswith(b"TXE1")


def test_each_document_has_its_own_key(store: DocumentStore) -> None:
    other = "b" * 32
    store.put(DOC, "original", SECRET)
    store.put(other, "original", SECRET)
    assert store.keys.get(DOC) != store.keys.get(other)
    # A file copied to another document (or another name) does not open there.
    shutil.copy(store.root / DOC / "original", store.root / other / "original")
    with pytest.raises(DecryptionFailed):
        store.get(f"{other}/original")


def test_changed_file_does_not_open(store: DocumentStore) -> None:
    store.put(DOC, "page-001.png", SECRET)
    path = store.root / DOC / "page-001.png"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(DecryptionFailed):
        store.get(f"{DOC}/page-001.png")


def test_delete_destroys_the_key_before_the_files(
    store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put(DOC, "original", SECRET)
    store.put(DOC, "page-001.png", SECRET)
    key_file = store.keys.folder / f"{DOC}.key"
    copy_of_file = (store.root / DOC / "original").read_bytes()
    seen: list[bool] = []
    real_rmtree = shutil.rmtree

    def rmtree(path: Path, *args: object, **kwargs: object) -> None:
        seen.append(key_file.exists())
        real_rmtree(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    assert store.delete_document(DOC) == 2
    assert seen == [False]
    assert not key_file.exists() and not (store.root / DOC).exists()
    # A copy of a file that survived somewhere (a disk block, a backup) stays unreadable.
    (store.root / DOC).mkdir()
    (store.root / DOC / "original").write_bytes(copy_of_file)
    with pytest.raises(KeyDestroyed):
        store.get(f"{DOC}/original")


def test_keys_are_wrapped_by_the_master_key(tmp_path: Path) -> None:
    keys = DocumentKeys(tmp_path / "keys", new_key())
    data_key = keys.get_or_create(DOC)
    assert data_key not in (tmp_path / "keys" / f"{DOC}.key").read_bytes()
    with pytest.raises(DecryptionFailed):
        DocumentKeys(tmp_path / "keys", new_key()).get(DOC)
    assert keys.get_or_create(DOC) == data_key  # made once, then reused


def test_field_values_and_exports_are_sealed_in_the_database(
    service_env: Settings, tmp_path: Path
) -> None:
    with session_scope() as db:
        doc = seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=3)
        numbers = {
            fv.id: fv.value for fv in doc.fields if fv.field_type == "my_number" and fv.value
        }
        db.add(
            ExportBatch(
                seq=1,
                created_by="t",
                form_id="kyuyo_kojinbetsu",
                record_count=1,
                content=SECRET,
                sha256="0" * 64,
                expires_at=doc.expires_at,
            )
        )
    assert numbers
    with session_scope() as db:
        raw = db.execute(text("SELECT id, value, ocr_value, raw_text FROM field_value")).all()
        stored = " ".join(str(cell) for row in raw for cell in row[1:])
        for number in numbers.values():
            assert str(number) not in stored
        assert "sealed:v1:" in stored
        raw_export = db.execute(text("SELECT content FROM export_batch")).scalar_one()
        assert SECRET not in bytes(raw_export)
        # Read through the models, the values are plain again.
        for field_id, number in numbers.items():
            assert db.get(FieldValue, field_id).value == number  # type: ignore[union-attr]
        assert db.scalar(select(ExportBatch.content)) == SECRET


def test_no_master_key_outside_development(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAX_INTAKE_MASTER_KEY", raising=False)
    monkeypatch.delenv("TAX_INTAKE_MASTER_KEY_FILE", raising=False)
    settings = Settings(database_url="postgresql://db/x", var_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="no master key"):
        require_master_key(settings)
    with pytest.raises(ConfigurationError):
        require_master_key(
            Settings(database_url="postgresql://db/x", master_key=SecretStr("c2hvcnQ="))
        )
    key_file = tmp_path / "secret.key"
    key_file.write_text("ab" * 32)
    settings = Settings(database_url="postgresql://db/x", master_key_file=key_file)
    assert master_key(settings) == bytes.fromhex("ab" * 32)


def test_web_worker_and_scheduler_refuse_to_start_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAX_INTAKE_MASTER_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        from intake.__main__ import main

        with pytest.raises(ConfigurationError):
            # api.py builds the app on import (uvicorn's "api:app"), or it was imported already.
            importlib.import_module("api").create_app()
        assert main(["scheduler"]) == 2
        import worker

        with pytest.raises(ConfigurationError):
            worker.main(burst=True)
    finally:
        get_settings.cache_clear()


def test_development_makes_its_own_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAX_INTAKE_MASTER_KEY", raising=False)
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.development
    key = master_key(settings)
    path = tmp_path / "var" / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert master_key(Settings(var_dir=tmp_path / "var")) == key
