"""Tokens of DRF's authtoken app (stored in plain text) become hashed personal tokens that keep working for
90 days; the plain-text rows are deleted. Reversing leaves the personal tokens (their keys cannot be recovered)."""

import datetime as dt
import hashlib

from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    User = apps.get_model("accounts", "User")
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    passwords = dict(User.objects.filter(pk__in=[user_id for _, user_id in rows]).values_list("pk", "password"))
    expires = timezone.now() + dt.timedelta(days=90)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id, name="API token (made before personal tokens)", prefix=key[:8],
                key_hash=hashlib.sha256(key.encode()).hexdigest(), scope="write", expires_at=expires,
                password_marker=salted_hmac(
                    "practica.accounts.token-password", passwords.get(user_id) or "!", algorithm="sha256"
                ).hexdigest(),
            )
            for key, user_id in rows
            if user_id in passwords
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_tokens_and_rate_counters")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
