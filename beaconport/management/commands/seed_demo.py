"""Create synthetic demo data and one login per role, and print the logins."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from beaconport.audit.context import audit_context
from beaconport.demo import DEMO_USERS, demo_cases_create, demo_logins_create
from beaconport.roles import Role


class Command(BaseCommand):
    help = "Create one demo login per role (fresh passwords each run) and synthetic demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-file",
            default=str(Path(settings.VAR_DIR) / "demo-logins.txt"),
            help="Where to keep the printed logins (readable by you only).",
        )

    def handle(self, *args, logins_file, **options):
        with audit_context(source="command:seed_demo"):
            logins = demo_logins_create()
            cases = demo_cases_create(var_dir=Path(settings.VAR_DIR))
        lines = [f"{'role':<17} {'username':<16} {'password':<17} two-step secret"]
        lines += [
            f"{login.role.value:<17} {login.username:<16} {login.password:<17} "
            f"{login.totp_secret or '-'}".rstrip()
            for login in logins
        ]
        path = Path(logins_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        self.stdout.write(self.style.SUCCESS("Demo logins (synthetic, for this machine only):"))
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write(f"Also kept in {path}")
        self.stdout.write(
            "Roles with a two-step secret: add it to an authenticator app (type it in as a "
            "time-based key) and enter the app's code after the password."
        )
        self.stdout.write(
            f"Demo cases: synthetic referrals from {cases.path} imported "
            f"({cases.created} created, {cases.updated} updated, {cases.unchanged} unchanged); "
            f"{DEMO_USERS[Role.INVESTIGATOR][0]} is assigned "
            f"{len(cases.assigned)}: {', '.join(cases.assigned)}; "
            f"{DEMO_USERS[Role.LIAISON_OFFICER][0]} keeps {cases.liaison_records} more "
            f"victims' records; {cases.documents} synthetic documents added"
        )
        rights = cases.rights
        if rights is not None and rights.nfa_case:
            self.stdout.write(
                f"Victims' rights: {rights.nfa_case}'s review upheld NFA and its victim asked "
                "for a Right to Review; the officer's victims have a consent, a ChISVA "
                "referral, a needs assessment, a safety plan and a letter sent from a "
                f"template ({rights.made} made this run); {rights.unassigned} victims wait "
                f"for {DEMO_USERS[Role.LIAISON_LEAD][0]} to assign them"
            )
