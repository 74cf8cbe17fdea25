"""Synthetic demo logins: one per role, with fresh random passwords each time."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from beaconport.roles import Role

DEMO_USERS = {
    Role.INVESTIGATOR: ("investigator", "Ivy", "Investigator"),
    Role.REVIEW_LEAD: ("review.lead", "Rowan", "Lead"),
    Role.LIAISON_OFFICER: ("liaison.officer", "Lee", "Liaison"),
    Role.LIAISON_LEAD: ("liaison.lead", "Lena", "Lead"),
    Role.ANALYST: ("analyst", "Ana", "Analyst"),
    Role.ADMINISTRATOR: ("admin", "Ada", "Administrator"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


@transaction.atomic
def demo_logins_create() -> list[DemoLogin]:
    """Create (or reset) one demo user per role and return their new passwords."""
    User = get_user_model()
    logins = []
    for role, (username, first, last) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.beaconport.invalid",
            },
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = user.is_superuser = role is Role.ADMINISTRATOR
        user.save()
        user.groups.add(Group.objects.get(name=role.value))
        logins.append(DemoLogin(role=role, username=username, password=password))
    return logins
