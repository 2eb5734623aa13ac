# The model Response is now Answer (the word the code uses; DRF's Response no longer clashes).
# The API keeps calling it `response`; only the table, related names and constraint names change.

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ('checkin', '0002_round_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name='Response', new_name='Answer'),
        migrations.AlterField(
            model_name='answer',
            name='round',
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name='answers', to='checkin.round'),
        ),
        migrations.AlterField(
            model_name='answer',
            name='user',
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name='answers', to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.RemoveConstraint(model_name='answer', name='one_response_per_partner_per_round'),
        migrations.RemoveConstraint(model_name='answer', name='response_connection_1_to_5'),
        migrations.RemoveConstraint(model_name='answer', name='response_independence_1_to_5'),
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.UniqueConstraint(fields=('round', 'user'), name='one_answer_per_partner_per_round'),
        ),
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.CheckConstraint(
                condition=Q(connection__gte=1, connection__lte=5), name='answer_connection_1_to_5'
            ),
        ),
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.CheckConstraint(
                condition=Q(independence__gte=1, independence__lte=5), name='answer_independence_1_to_5'
            ),
        ),
    ]
