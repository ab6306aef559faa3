"""The words met in indexed content, as written, for "did you mean" (spelling.py).

Filled from the documents already indexed, in batches (threads from the word counts they keep, others from
their title, tags and text); the reverse drops the table.
"""

from django.db import migrations, models

BATCH = 1000


def fill_words(apps, schema_editor):
    from practica.search.spelling import INSERT_BATCH, document_words

    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchWord = apps.get_model("search", "SearchWord")
    documents = SearchDocument.objects.order_by("id")
    last = 0
    while True:
        batch = list(documents.filter(id__gt=last).values_list("id", "title", "tags", "body", "terms")[:BATCH])
        if not batch:
            break
        ordered = sorted({word for _, *fields in batch for word in document_words(*fields)})
        for start in range(0, len(ordered), INSERT_BATCH):
            SearchWord.objects.bulk_create(
                [SearchWord(word=word, backwards=word[::-1]) for word in ordered[start : start + INSERT_BATCH]],
                ignore_conflicts=True,
            )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_term_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=30, primary_key=True, serialize=False)),
                ("backwards", models.CharField(db_index=True, max_length=30)),
            ],
        ),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
    ]
