# The keyword index of 职位搜索 (docs/decisions/job-search.md): the same bigram token text
# (search_title, search_body, apps/jobs/search.py) indexed by what each database offers.
#
# PostgreSQL: a GIN index over the weighted tsvector of the two columns; the query side
# (apps/jobs/search_query.py, SEARCH_VECTOR_SQL) repeats this expression character for character so
# the planner can use the index.
# SQLite: an FTS5 table with external content (the rows stay in jobs_posting, FTS5 keeps only
# the inverted index) and triggers that keep it in step with every insert, update and delete —
# also bulk_create and raw SQL, which send no Django signal.
#
# Caution (SQLite): a later migration that makes Django rebuild jobs_posting (AlterField and the
# like copy the table into a new one) drops these triggers with the old table. Such a migration
# must end with `search_query.sqlite_search_install` + rebuild (see the decision document).

from django.db import migrations

PG_INDEX = "jobs_posting_search_gin"
PG_VECTOR = ("(setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
             "setweight(to_tsvector('simple'::regconfig, search_body), 'B'))")

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS jobs_posting_fts USING fts5("
    "search_title, search_body, content='jobs_posting', content_rowid='id', tokenize='ascii')",
    "CREATE TRIGGER IF NOT EXISTS jobs_posting_fts_ai AFTER INSERT ON jobs_posting BEGIN "
    "INSERT INTO jobs_posting_fts(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    "CREATE TRIGGER IF NOT EXISTS jobs_posting_fts_ad AFTER DELETE ON jobs_posting BEGIN "
    "INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); END",
    "CREATE TRIGGER IF NOT EXISTS jobs_posting_fts_au AFTER UPDATE OF search_title, search_body ON jobs_posting "
    "BEGIN "
    "INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); "
    "INSERT INTO jobs_posting_fts(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    # rows that exist already (none on a fresh database)
    "INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS jobs_posting_fts_au",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_ad",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_ai",
    "DROP TABLE IF EXISTS jobs_posting_fts",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON jobs_posting USING GIN ({PG_VECTOR})"])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [f"DROP INDEX IF EXISTS {PG_INDEX}"])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forward, reverse),
    ]
