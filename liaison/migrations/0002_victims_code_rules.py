"""Seed the Victims' Code timescales (working days) that turn case events into follow-ups.

Code of Practice for Victims of Crime in England and Wales (Ministry of Justice, 2020), in
force from 1 April 2021. Rules stay editable in admin; `load_rules` only adds missing rows,
so re-running it (tests flush and reload reference data) never overwrites an edit.
"""

import datetime

from django.db import migrations

CODE = "Code of Practice for Victims of Crime in England and Wales (2020)"
IN_FORCE = datetime.date(2021, 4, 1)
RIGHT_6 = f"{CODE}, Right 6: information about the investigation and prosecution"

# trigger: (enhanced working days, standard working days, source)
RULES = {
    "arrest": (1, 5, RIGHT_6),
    "interview_under_caution": (1, 5, RIGHT_6),
    "released_without_charge": (1, 5, RIGHT_6),
    "bail_or_rui": (1, 5, RIGHT_6),
    "charge": (1, 5, RIGHT_6),
    "decision_not_to_investigate": (1, 5, RIGHT_6),
    "reinvestigation": (1, 5, f"{RIGHT_6} (the review's outcome)"),
    "nfa_upheld": (1, 5, f"{RIGHT_6} (the review's outcome)"),
    "ineligible": (1, 5, f"{RIGHT_6} (the review's outcome)"),
    "support_referral": (2, 2, f"{CODE}, Right 4: referral to services that support victims"),
    "periodic_update": (
        None,
        None,
        f"{CODE}, Right 6: updates at the frequency agreed with the victim",
    ),
    "vrr_acknowledge": (10, 10, f"{CODE}, Right 7: Victims' Right to Review, acknowledgement"),
    "vrr_answer": (30, 30, f"{CODE}, Right 7: Victims' Right to Review, decision"),
}


def load_rules(apps, schema_editor):
    rule_model = apps.get_model("liaison", "VictimsCodeRule")
    for trigger, (enhanced, standard, source) in RULES.items():
        rule_model.objects.get_or_create(
            trigger=trigger,
            effective_from=IN_FORCE,
            defaults={"enhanced_days": enhanced, "standard_days": standard, "source": source},
        )


def unload_rules(apps, schema_editor):
    apps.get_model("liaison", "VictimsCodeRule").objects.filter(effective_from=IN_FORCE).delete()


class Migration(migrations.Migration):
    dependencies = [("liaison", "0001_initial")]

    operations = [migrations.RunPython(load_rules, unload_rules)]
