"""Count facets by small keys, and order the search row for the columns every match reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 16:30:00

Totals, facets and the access scope visit every match of a query: 47,000 rows for two
common words at 100,000 lessons. Measured on such an answer (median of 9 runs):

- reading the scope columns cost 23 ms on top of the 31 ms of finding and visiting the
  rows, because they sat behind the texts: PostgreSQL walks a row's columns in order, and
  past the first variable-length one every column's offset is worked out anew each row.
  With the fixed-width and scope columns first it costs ~3 ms;
- grouping six text columns and two text arrays cost 45 ms; grouping two integers 7 ms.

So the table is rebuilt with the columns counting reads first (and its GIN indexes with
short pending lists, below): `shared` (public or internal)
and `listed` (shared and published) as generated columns, so the scope test of most rows is
one flag, and `facet_key` / `label_key`, keys of `search_facet_sets` (one row per combination
of type, kind, polarity, status, root cause category and year) and `search_label_sets` (one
per pair of topics and tags arrays). A set is found by the md5 of its row's text form,
which is unambiguous (quoted values, NULL as nothing); search/postgres_backend.py writes the
same digests. Sets are never deleted: an unused one costs a row.

Downgrading drops the keys, flags and set tables (the column order stays; it does not
matter to 0008's code). On SQLite this revision does nothing, as 0004.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FACETS = "type, kind, polarity, status, root_cause_category, year"
_FACET_DIGEST = f"md5(ROW({_FACETS})::text)"
_LABEL_DIGEST = "md5(ROW(topics, tags)::text)"
# GIN indexes keep new entries in a pending list that every search reads through until it is
# merged (at 4 MB by default; VACUUM, or the backend's settle, merge it sooner). A 220-page
# list on `head` made each of its lookups 5 ms instead of 0.5. So the lists are kept short:
# 256 kB for `head`, topics and tags (a few entries a row), 1 MB for `tsv` (hundreds a row).
# Importing 20,000 lessons in batches of 5,000: 967 rows/s, against 1,049 with 4 MB lists and
# 898 with no list at all on the three small indexes.
_INDEXES = {
    "ix_search_documents_tsv": "USING gin (tsv) WITH (gin_pending_list_limit = 1024)",
    "ix_search_documents_head": "USING gin (head) WITH (gin_pending_list_limit = 256)",
    "ix_search_documents_created_at": "(created_at)",
    "ix_search_documents_topics": "USING gin (topics) WITH (gin_pending_list_limit = 256)",
    "ix_search_documents_tags": "USING gin (tags) WITH (gin_pending_list_limit = 256)",
}
_COPIED = (
    "id, year, created_at, is_published, owning_team_id, project_id, team_ids, doc_id, "
    "type, visibility, kind, status, polarity, impact, root_cause_category, topics, tags, "
    "title, lesson, recommendation, observation, body, tsv, head"
)


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _is_postgres():
        return
    op.execute(
        "CREATE TABLE search_facet_sets (key serial PRIMARY KEY, digest text NOT NULL UNIQUE, "
        "type varchar(16) NOT NULL, kind varchar(64), polarity varchar(64), "
        "status varchar(64), root_cause_category varchar(64), year integer NOT NULL)"
    )
    op.execute(
        "CREATE TABLE search_label_sets (key serial PRIMARY KEY, digest text NOT NULL UNIQUE, "
        "topics text[] NOT NULL, tags text[] NOT NULL)"
    )
    op.execute(
        f"INSERT INTO search_facet_sets (digest, {_FACETS}) "
        f"SELECT DISTINCT {_FACET_DIGEST}, {_FACETS} FROM search_documents"
    )
    op.execute(
        "INSERT INTO search_label_sets (digest, topics, tags) "
        f"SELECT DISTINCT {_LABEL_DIGEST}, topics, tags FROM search_documents"
    )
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute("ALTER TABLE search_documents RENAME TO search_documents_0008")
    op.execute("ALTER TABLE search_documents_0008 DROP CONSTRAINT search_documents_pkey")
    op.execute(
        "CREATE TABLE search_documents ("
        # fixed width and never NULL first: their offsets are the same in every row
        "id integer NOT NULL, year integer NOT NULL, created_at timestamptz NOT NULL, "
        "is_published boolean NOT NULL, "
        "shared boolean GENERATED ALWAYS AS (visibility IN ('public', 'internal')) STORED, "
        "listed boolean GENERATED ALWAYS AS "
        "(is_published AND visibility IN ('public', 'internal')) STORED, "
        # No foreign keys: their check locks the set's row for every search row written
        # (an import ran 642 rows/s with them, 748 without, one run each); sets are never
        # deleted, and the backend writes a row's sets first.
        "facet_key integer NOT NULL, label_key integer NOT NULL, "
        "owning_team_id integer, project_id integer, team_ids integer[] NOT NULL, "
        "doc_id varchar(40) PRIMARY KEY, type varchar(16) NOT NULL, "
        "visibility varchar(16) NOT NULL, kind varchar(64), status varchar(64), "
        "polarity varchar(64), impact varchar(64), root_cause_category varchar(64), "
        "topics text[] NOT NULL, tags text[] NOT NULL, title text NOT NULL, "
        "lesson text NOT NULL, recommendation text NOT NULL, observation text NOT NULL, "
        "body text NOT NULL, tsv tsvector NOT NULL, head tsvector NOT NULL"
        ") WITH (toast_tuple_target = 128)"
    )
    # As 0008: the long texts and the tsvector go to TOAST, what every match reads stays.
    for column in ("title", "topics", "tags", "team_ids", "head"):
        op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET STORAGE MAIN")
    op.execute(
        f"INSERT INTO search_documents ({_COPIED}, facet_key, label_key) "
        f"SELECT {', '.join('o.' + c.strip() for c in _COPIED.split(','))}, f.key, l.key "
        "FROM search_documents_0008 o "
        f"JOIN search_facet_sets f ON f.digest = md5(ROW("
        + ", ".join(f"o.{c.strip()}" for c in _FACETS.split(","))
        + ")::text) "
        "JOIN search_label_sets l ON l.digest = md5(ROW(o.topics, o.tags)::text)"
    )
    op.execute("DROP TABLE search_documents_0008")
    for name, how in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON search_documents {how}")


def downgrade() -> None:
    if not _is_postgres():
        return
    op.execute(
        "ALTER TABLE search_documents DROP COLUMN facet_key, DROP COLUMN label_key, "
        "DROP COLUMN listed, DROP COLUMN shared"
    )
    op.execute("DROP TABLE search_label_sets")
    op.execute("DROP TABLE search_facet_sets")
