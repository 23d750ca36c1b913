"""Tables of the eligibility service: the enterprise projection and determinations with history.

The projection has one typed column per comparable fact of the registry, so a criteria tree compiles to one
SQL expression over it (adapters/compiler.py); `facts` keeps the whole set for explanations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.types import TypeEngine

from eligibility.domain.facts import BOOLEAN, DATE, INTEGER, MONEY, NUMBER, REGISTRY, STRING
from supportmatch_core.schema import Id, UtcDateTime, backbone_tables

metadata = MetaData()
backbone = backbone_tables(metadata)

SQL_TYPES: dict[str, TypeEngine[Any]] = {
    STRING: String(60),
    INTEGER: BigInteger(),
    MONEY: BigInteger(),
    NUMBER: Float(),
    BOOLEAN: Boolean(),
    DATE: Date(),
}

enterprise_facts = Table(
    "enterprise_facts",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("profile_version", Integer, nullable=False),
    Column("facts", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The firm's registered name and city, for the caseworkers' work queue (no rule reads them).
    Column("name", String(200), nullable=True),
    Column("city", String(60), nullable=True),
    *(
        Column(name, SQL_TYPES[fact.type], nullable=fact.name != "province_code")
        for name, fact in REGISTRY.items()
        if fact.comparable
    ),
    # The provinces a city is in: the work queue reads a city's firms from theirs (ADR 0037).
    Index("ix_enterprise_facts_city", "city", "province_code"),
    # The firms changed lately: their determinations' places are checked with each tick.
    Index("ix_enterprise_facts_updated", "updated_at"),
)

# Each pair of neighbouring characters of a firm's name (ADR 0027): a two-character search, the
# usual one in Chinese names, is a lookup of one pair, not a scan of every name.
enterprise_name_grams = Table(
    "enterprise_name_grams",
    metadata,
    Column("gram", String(2), primary_key=True),
    Column("uscc", String(18), primary_key=True),
    Index("ix_enterprise_name_grams_uscc", "uscc"),  # a firm's pairs, replaced with its name
)

enterprise_certifications = Table(
    "enterprise_certifications",
    metadata,
    Column("uscc", String(18), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("level", String(20), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Index("ix_enterprise_certifications_uscc_kind", "uscc", "kind"),
    # The holders of a title: the work queue starts from them (ADR 0037).
    Index(
        "ix_enterprise_certifications_kind",
        "kind",
        "uscc",
        postgresql_include=["valid_from", "valid_to"],
    ),
)

# The projection's columns the work queue filters on, kept in each determination too.
QUEUE_COLUMNS = ("province_code", "city", "industry_code", "size_class", "ownership")

determinations = Table(
    "determinations",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("measure_id", String(100), primary_key=True),
    Column("measure_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("evaluated_on", Date, nullable=False),
    Column("facts_digest", String(64), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # True: a first decision of a population re-match, its history row and event still to
    # be written by the Explainer (its firm lies in a range of `unrecorded_ranges`); else null.
    Column("unrecorded", Boolean, nullable=True),
    # The facts the firm still has to give, as ",fact,fact," ("," for none): the work queue
    # filters on it. Null exactly while the determination waits to be explained (ADR 0011), so
    # the queue's indexes tell the rows that wait without reading the table (ADR 0037).
    Column("missing", String(1000), nullable=True),
    # Where the firm stands in the work queue, copied from the projection with each write
    # (ADR 0037): the queue filters and counts from the indexes below alone.
    *(Column(name, String(60), nullable=True) for name in QUEUE_COLUMNS),
    # The work queue: one measure's firms of a province by status, in USCC order (ADR 0027);
    # on PostgreSQL each entry carries what the filters read.
    Index(
        "ix_determinations_queue",
        "measure_id",
        "province_code",
        "status",
        "uscc",
        postgresql_include=[*QUEUE_COLUMNS[1:], "missing"],
    ),
)

# Ranges of firms (by key) a population re-match gave first decisions, queued for the Explainer
# (ADR 0016): a range per hundred firms costs the re-match far less than an index over its rows.
FIRMS_PER_RANGE = 100  # about 1,800 first decisions at the first start of a new catalogue
unrecorded_ranges = Table(
    "unrecorded_ranges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("first_uscc", String(18), nullable=False),
    Column("last_uscc", String(18), nullable=False),
    Column("queued_at", UtcDateTime(), nullable=False),
)

determination_history = Table(
    "determination_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("measure_id", String(100), nullable=False),
    Column("measure_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("previous_status", String(20), nullable=True),
    Column("evaluated_on", Date, nullable=False),
    Column("facts_digest", String(64), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_determination_history_measure_recorded", "measure_id", "recorded_at"),
)

rematch_log = Table(
    "rematch_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("measure_id", String(100), nullable=False),
    Column("measure_version", Integer, nullable=False),
    Column("measure_digest", String(64), nullable=False),
    Column("rematched_on", Date, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("finished_at", UtcDateTime(), nullable=False),
    Index("ix_rematch_log_day", "rematched_on", "measure_id"),
)

# Every published measure version (the shipped files are the seed) and the drafts beside them.
measure_versions = Table(
    "measure_versions",
    metadata,
    Column("measure_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("document", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # published | retired
    Column("managed_by", String(20), nullable=False),  # catalogue (the file) | admin (the API)
    Column("published_at", UtcDateTime(), nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("retired_at", UtcDateTime(), nullable=True),
    Column("retired_by", String(200), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

measure_drafts = Table(
    "measure_drafts",
    metadata,
    Column("measure_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("document", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(200), nullable=False),
)

# One row: bumped by every change of the catalogue; each instance reloads when it moves.
catalogue_revision = Table(
    "catalogue_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
)

# The caseworkers' cases, as casework.case.v1 tells them: the work queue's "has a case" and
# "assigned to" filters. One row per firm and measure, the highest version kept.
case_states = Table(
    "case_states",
    metadata,
    Column("measure_id", String(100), primary_key=True),
    Column("uscc", String(18), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("assignee", String(100), nullable=True),
    Column("version", BigInteger, nullable=False),
    Index("ix_case_states_assignee", "assignee", "measure_id"),
)
