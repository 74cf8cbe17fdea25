"""A disclosure's recipient names every address its message went to (issue 9): one
reminder escalated to 16 liaison leads is one message and one audit row, and 16 addresses
do not fit in 200 characters. Widening a varchar rewrites nothing in PostgreSQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_batch_append_and_flat_gin_inserts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="recipient",
            field=models.CharField(blank=True, max_length=4000),
        ),
    ]
