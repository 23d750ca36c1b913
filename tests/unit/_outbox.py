"""An outbox on a SQLite file with the backbone tables, for the relay's unit tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData

from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.schema import BackboneTables, backbone_tables


def outbox_database(tmp_path: Path) -> tuple[Engine, BackboneTables, UnitOfWork]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    metadata = MetaData()
    tables = backbone_tables(metadata)
    metadata.create_all(engine)
    return engine, tables, UnitOfWork(engine)
