"""One discussion per check-in, step 2 of 2: the database holds it (0005 merged the twins)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("checkin", "0005_merge_twin_discussions")]

    operations = [
        migrations.AlterField(
            model_name="discussion",
            name="checkin",
            field=models.ForeignKey(
                help_text="The round that opened it (one discussion each).",
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="checkin.round",
            ),
        ),
        migrations.AddConstraint(
            model_name="discussion",
            constraint=models.UniqueConstraint(fields=("checkin",), name="one_discussion_per_checkin"),
        ),
    ]
