"""The National lead role: a group whose members see every case and liaison record, as a
lead would (pseudonyms; names only for a logged reason where they are assigned)."""

from django.db import migrations

NATIONAL_LEAD = "National lead"


def create_national_lead_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NATIONAL_LEAD)


def remove_national_lead_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NATIONAL_LEAD).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_teams_and_assignments"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_national_lead_role, remove_national_lead_role)]
