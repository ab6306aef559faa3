"""Indexes for search sorted by date or by votes (``backends.base.ORDER_INDEXES``). Plain CREATE INDEX on both
databases: on SQLite the table (and so its full-text triggers, 0002) is left as it is."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("search", "0006_search_words"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["created_at", "id"], name="search_doc_created"),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["votes", "created_at", "id"], name="search_doc_votes"),
        ),
    ]
