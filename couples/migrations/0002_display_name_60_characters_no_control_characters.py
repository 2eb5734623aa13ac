import re
import unicodedata

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import couples.models

# What couples.models.validate_display_name refuses, as a pattern the database can filter on
# (PostgreSQL's and Python's regex both read these escapes); NUL and lone surrogates were never
# accepted, so they cannot be stored.
_REFUSED = r"[\x01-\x1f\x7f-\x9f\u2028\u2029]"


def names_without_control_characters(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Names stored before the rule held are printed into the partner's emails and pushes: each
    run of refused characters becomes one space."""
    User = apps.get_model("couples", "User")
    for user in User.objects.filter(display_name__regex=_REFUSED).only("display_name"):
        cleaned = "".join(
            " " if unicodedata.category(ch) in {"Cc", "Cs", "Zl", "Zp"} else ch for ch in user.display_name
        )
        user.display_name = re.sub(" {2,}", " ", cleaned).strip() or "Someone"
        user.save(update_fields=["display_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("couples", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="display_name",
            field=models.CharField(max_length=60, validators=[couples.models.validate_display_name]),
        ),
        migrations.RunPython(names_without_control_characters, migrations.RunPython.noop),
    ]
