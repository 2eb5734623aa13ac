"""One discussion per check-in (issue 22), step 1 of 2: a check-in's flags become the points of
one discussion, led by its most important flag. Check-ins that opened several keep one: an open
one before a resolved one, then the most important kind (checkin/rules.py, IMPORTANCE as it was
written here), then the oldest. The others' flags and notes move to it, inbox items that linked
to them link to it, and they go. Nothing a couple wrote is lost. 0006 adds the constraint, in a
transaction of its own: PostgreSQL alters no table while this one's row changes await their checks."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Count

# checkin.rules.IMPORTANCE when this was written (a migration keeps its own copy).
IMPORTANCE = ("pursue_withdraw", "persistent", "shared_need", "drop", "gap")


def merge_twins(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Discussion = apps.get_model("checkin", "Discussion")
    Flag = apps.get_model("checkin", "Flag")
    DiscussionNote = apps.get_model("checkin", "DiscussionNote")
    Notification = apps.get_model("notifications", "Notification")
    twinned = (
        Discussion.objects.values("checkin_id").annotate(n=Count("id")).filter(n__gt=1).values_list("checkin_id", flat=True)
    )
    for checkin_id in list(twinned):
        discussions = sorted(
            Discussion.objects.filter(checkin_id=checkin_id),
            key=lambda d: (
                d.status != "open",
                IMPORTANCE.index(d.kind) if d.kind in IMPORTANCE else len(IMPORTANCE),
                d.pk,
            ),
        )
        kept, others = discussions[0], discussions[1:]
        other_ids = [d.pk for d in others]
        Flag.objects.filter(discussion_id__in=other_ids).update(discussion_id=kept.pk)
        DiscussionNote.objects.filter(discussion_id__in=other_ids).update(discussion_id=kept.pk)
        for notification in Notification.objects.filter(
            kind="discussion_opened", subject__in=[f"discussion:{pk}" for pk in other_ids]
        ):
            notification.data = {**notification.data, "discussion_id": kept.pk}
            notification.save(update_fields=["data"])
        Discussion.objects.filter(pk__in=other_ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("checkin", "0004_round_analysis_handoffs"),
        ("couples", "0003_browser_sessions"),
        ("notifications", "0003_notification_deliver_after"),
    ]

    operations = [
        migrations.RunPython(merge_twins, migrations.RunPython.noop),
    ]
