"""The Auditor role: a group whose members may search the audit log and download it."""

from django.db import migrations

AUDITOR = "Auditor"


def create_auditor_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=AUDITOR)


def remove_auditor_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_auditor_role, remove_auditor_role)]
