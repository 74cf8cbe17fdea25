"""Remove a user's two-step devices from the shell: for the administrator who lost their
phone and backup codes, and so cannot reach the admin page that would do it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user

from beaconport.audit.context import audit_context
from beaconport.signin.services import two_factor_devices_remove


class Command(BaseCommand):
    help = (
        "Remove every two-step device (authenticator app, backup codes) of a user; they set "
        "up a new app at their next sign-in. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the devices without removing them."
        )

    def handle(self, *args, username, dry_run, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            self.stdout.write(f"  {device.persistent_id} ({device.name})")
        if dry_run:
            self.stdout.write(f"Dry run: {len(devices)} device(s) of {username} would go.")
            return
        with audit_context(source="command:two_factor_reset"):
            removed = two_factor_devices_remove(user=user, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} device(s) of {username}; they set up a new app at their "
                "next sign-in."
            )
        )
