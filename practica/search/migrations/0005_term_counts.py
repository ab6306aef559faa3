"""Threads' word counts in the search index (related threads re-rank by cosine similarity: similarity.py).

A nullable column without a default: on SQLite that is a plain ALTER TABLE ... ADD COLUMN, where a default
would remake the table and drop the full-text triggers of 0002. The documents already indexed get theirs from their own title, tags and text, in batches; the reverse drops the
column (nothing else to undo).
"""

from django.db import migrations, models

BATCH = 1000


def fill_terms(apps, schema_editor):
    from practica.search.similarity import terms_field

    SearchDocument = apps.get_model("search", "SearchDocument")
    threads = SearchDocument.objects.filter(doc_type="thread").order_by("id")
    last = 0
    while True:
        batch = list(threads.filter(id__gt=last).values_list("id", "title", "tags", "body")[:BATCH])
        if not batch:
            break
        SearchDocument.objects.bulk_update(
            [SearchDocument(id=doc_id, terms=terms_field(title, tags, body)) for doc_id, title, tags, body in batch],
            ["terms"],
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_threadembedding"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="terms",
            field=models.TextField(
                null=True,
                blank=True,
                help_text="Threads: their most frequent words and counts, as JSON (see similarity.py).",
            ),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
    ]
