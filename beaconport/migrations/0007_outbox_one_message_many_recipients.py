"""One outbox message to all its recipients, and sends recorded before they are audited
(issue 9).

`recipients` (a list of addresses) replaces `to`: an escalation to 16 leads is one message
in one SMTP transaction, one row, one audit row naming every address. An owed row keeps its
address as a list of one. `outbox_unaudited` serves the sweep that audits a message
recorded as sent whose audit batch a crash cut off.
"""

from django.db import migrations, models


def to_recipients(apps, schema_editor):
    OutboxMessage = apps.get_model("beaconport", "OutboxMessage")
    for row in OutboxMessage.objects.only("pk", "to").iterator():
        OutboxMessage.objects.filter(pk=row.pk).update(recipients=[row.to])


class Migration(migrations.Migration):
    dependencies = [
        ("beaconport", "0006_outbox_records_and_audits_together"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="recipients",
            field=models.JSONField(
                default=list, help_text="Addresses: one message, one RCPT TO each."
            ),
        ),
        migrations.RunPython(to_recipients, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outboxmessage", name="to"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="audit_seq",
            field=models.BigIntegerField(
                blank=True,
                help_text="The audit row of the send (set just after sent_at).",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("audit_seq__isnull", True), ("sent_at__isnull", False)),
                fields=["sent_at"],
                name="outbox_unaudited",
            ),
        ),
    ]
