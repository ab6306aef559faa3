"""A subscription's thread becomes a generic target (content type and id), so the notifications app knows no
content model ([P9]). The rows are kept: each thread subscription moves to the target, and back on reversal.

Reversible: going back, every target made by this code is a thread and returns to the ``thread`` column. Rows the
old table cannot hold are deleted on the way back (and only they): a target of another kind (only later code
could make one) and a subscription to a thread deleted since (the old foreign key cascaded those away).
"""

from django.db import migrations, models
from django.db.models import F, Q


def _thread_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    return content_type.objects.db_manager(schema_editor.connection.alias).get_or_create(
        app_label="discussions", model="thread"
    )[0]


def threads_to_targets(apps, schema_editor):
    subscription = apps.get_model("notifications", "Subscription")
    db = schema_editor.connection.alias
    subscription.objects.using(db).filter(thread__isnull=False).update(
        target_type=_thread_type(apps, schema_editor), target_id=F("thread_id")
    )


def targets_to_threads(apps, schema_editor):
    subscription = apps.get_model("notifications", "Subscription")
    thread = apps.get_model("discussions", "Thread")
    db = schema_editor.connection.alias
    thread_type = _thread_type(apps, schema_editor)
    others = subscription.objects.using(db).filter(target_type__isnull=False).exclude(target_type=thread_type)
    others.delete()
    # A thread deleted since (its subscription was no longer cascaded) cannot come back as a foreign key.
    gone = subscription.objects.using(db).filter(target_type=thread_type).exclude(
        target_id__in=thread.objects.using(db).values("pk")
    )
    gone.delete()
    subscription.objects.using(db).filter(target_type=thread_type).update(thread_id=F("target_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("discussions", "0002_list_indexes"),
        ("notifications", "0003_notification_kinds_for_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RemoveConstraint(model_name="subscription", name="notifications_subscription_one_target"),
        migrations.RemoveConstraint(model_name="subscription", name="notif_sub_thread_unique"),
        migrations.RemoveIndex(model_name="subscription", name="notif_sub_by_thread"),
        migrations.RunPython(threads_to_targets, targets_to_threads, elidable=False),
        migrations.RemoveField(model_name="subscription", name="thread"),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=(
                    Q(community__isnull=False, topic__isnull=True, target_type__isnull=True, target_id__isnull=True)
                    | Q(community__isnull=True, topic__isnull=False, target_type__isnull=True, target_id__isnull=True)
                    | Q(community__isnull=True, topic__isnull=True, target_type__isnull=False, target_id__isnull=False)
                ),
                name="notifications_subscription_one_target",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=Q(target_type__isnull=False),
                fields=("user", "target_type", "target_id"),
                name="notif_sub_target_unique",
            ),
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(fields=["target_type", "target_id", "muted"], name="notif_sub_by_target"),
        ),
    ]
