"""Answer.made_at: when the person made the answer on their device. An answer recorded before it
was known counts as made when the server last received it (its updated_at)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F
from django.db.models.functions import Now


def made_when_received(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("checkin", "Answer").objects.update(made_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("checkin", "0006_one_discussion_per_checkin")]

    operations = [
        migrations.AddField(model_name="answer", name="made_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(made_when_received, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="answer", name="made_at", field=models.DateTimeField(default=django.utils.timezone.now, db_default=Now())
        ),
    ]
