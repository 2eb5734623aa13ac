from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone


def sessions_carried_over(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """The live sessions of Django's own table move to BrowserSession, each with whose it is, so
    nobody is signed out by the change of engine; the old rows go."""
    Session = apps.get_model("sessions", "Session")
    BrowserSession = apps.get_model("couples", "BrowserSession")
    store = SessionStore()  # couples.sessions.SessionStore signs with the same salt
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=1000):
        signed_in = store.decode(session.session_data).get(SESSION_KEY)
        BrowserSession.objects.create(
            session_key=session.session_key,
            session_data=session.session_data,
            expire_date=session.expire_date,
            user_id=int(signed_in) if signed_in is not None else None,
        )
    Session.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("couples", "0002_display_name_60_characters_no_control_characters"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BrowserSession",
            fields=[
                (
                    "session_key",
                    models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="session key"),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                ("user_id", models.BigIntegerField(db_index=True, null=True)),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(sessions_carried_over, migrations.RunPython.noop),
    ]
