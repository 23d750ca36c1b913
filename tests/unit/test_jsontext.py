"""JSON as the platform writes it: orjson's speed, json's range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from supportmatch_core import jsontext
from supportmatch_core.db import create_database_engine


def test_integers_beyond_64_bits_are_written_exactly() -> None:
    value = {"revenue": 2**70, "name": "深圳市测试科技有限公司"}
    text = jsontext.dumps_text(value)
    assert "深圳" in text  # UTF-8, not \\u escapes
    assert json.loads(text) == value


def test_what_is_not_json_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        jsontext.dumps({"when": object()})


def test_a_json_column_keeps_integers_beyond_64_bits(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'json.sqlite3'}")
    table = Table("facts", MetaData(), Column("id", Integer, primary_key=True), Column("v", JSON))
    table.metadata.create_all(engine)
    value = {"revenue": 10**30, "name": "深圳"}
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, v=value))
    with engine.connect() as connection:
        assert connection.execute(select(table.c.v)).scalar_one() == value
    engine.dispose()
