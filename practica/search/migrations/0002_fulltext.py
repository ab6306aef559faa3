"""The full-text index beside SearchDocument: FTS5 on SQLite, a tsvector trigger and GIN index on PostgreSQL.

Both are kept in step by database triggers, so the index changes in the same transaction as the document.
Reversible: the reverse drops what the forward created.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, tags, body,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, tags, body) VALUES (new.id, new.title, new.tags, new.body);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, tags, body)
        VALUES ('delete', old.id, old.title, old.tags, old.body);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title, tags, body ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, tags, body)
        VALUES ('delete', old.id, old.title, old.tags, old.body);
        INSERT INTO search_fts(rowid, title, tags, body) VALUES (new.id, new.title, new.tags, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    """CREATE FUNCTION search_document_vector() RETURNS trigger AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector(NEW.language::regconfig, coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector(NEW.language::regconfig, coalesce(NEW.tags, '')), 'B') ||
            setweight(to_tsvector(NEW.language::regconfig, left(coalesce(NEW.body, ''), 400000)), 'C');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_document_vector_trg
        BEFORE INSERT OR UPDATE OF title, tags, body, language ON search_searchdocument
        FOR EACH ROW EXECUTE FUNCTION search_document_vector()""",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "DROP TRIGGER IF EXISTS search_document_vector_trg ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_document_vector()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
