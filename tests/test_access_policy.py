"""Every route, every persona, every method, against the policy (tests/access_policy.py).

The routes are read from the URL resolver (web, API, admin, downloads), so a route nobody
wrote down fails `test_the_policy_names_every_route`. Then one data set (a case with its
people, a finding, an inquiry, a flag; a victim's liaison record with a follow-up, a
do-not-contact period and a notification; a row of every model the admin lists) is tried
for every route x persona x method, every answer that differs from the policy is listed at
once, and no case or liaison row may have changed. The number of checks is printed: the
issue's closing note quotes it.

`ACCESS_POLICY_DRAFT=/tmp/answers.json pytest tests/test_access_policy.py` writes the
answers seen instead of comparing them: a start for a new route's line, to be read, never
copied blind.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from beaconport.roles import Role
from cases.models import CaseAccessRequest, Finding, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from liaison.models import Notification
from tests import access_policy as policy
from tests.factories import make_case
from tests.liaison.test_access_routes import period_for
from tests.liaison.test_views_setup import open_followup, record_for

DRAFT = os.environ.get("ACCESS_POLICY_DRAFT")


@dataclass(frozen=True)
class Route:
    """One entry of the URL resolver: its policy key, its path pattern and its arguments."""

    key: str
    pattern: str
    arguments: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.key.startswith("api:")


def _arguments(pattern: str) -> tuple[str, ...]:
    return tuple(a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern))


def resolver_routes() -> list[Route]:
    """Every route the site answers, admin included; unnamed ones keyed by their pattern."""
    routes = []

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                walk(
                    entry.url_patterns,
                    f"{namespace}:{inner}".strip(":") if inner else namespace,
                    prefix + str(entry.pattern),
                )
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = pattern
                routes.append(Route(key, pattern, _arguments(pattern)))

    walk(get_resolver().url_patterns, "", "/")
    return routes


def test_the_policy_names_every_route():
    keys = {route.key for route in resolver_routes()}
    assert sorted(keys - set(policy.expanded())) == [], "routes missing from the policy"
    assert sorted(set(policy.expanded()) - keys) == [], "policy entries for no route"


# --- the data set -------------------------------------------------------------------------


def _persona(request, name):
    if name == "anonymous":
        return None
    return request.getfixturevalue(policy.PERSONAS[name])


@pytest.fixture
def auditor(make_user):
    user = make_user("aud.auditor")
    user.groups.add(Group.objects.get(name=Role.AUDITOR.value))
    return user


@pytest.fixture
def world(request, investigator, liaison_officer):
    """One of everything a route can name, belonging to the investigator and the officer."""
    case = make_case(summary="The investigator's case (synthetic).")
    grant_case_access(investigator, case)
    record = record_for(liaison_officer, party=case.parties.get(ref="V1"))
    world = {
        "case": case,
        "finding": Finding.objects.create(
            case=case,
            category="other",
            description="A finding (synthetic).",
            severity="low",
            recorded_by=investigator,
        ),
        "inquiry": LineOfInquiry.objects.create(
            case=case,
            description="An inquiry (synthetic).",
            origin="review",
            created_by=investigator,
        ),
        "flag": SuspectFlag.objects.create(
            party=case.parties.get(ref="S1"),
            kind="dangerous",
            reason="A reason (synthetic).",
            set_by=investigator,
        ),
        "record": record,
        "followup": open_followup(record),
        "period": period_for(record),
        "notification": Notification.objects.create(
            user=liaison_officer, text=f"{case.reference}: an update is due today"
        ),
    }
    # An access request for the case, by an investigator who saw it linked elsewhere.
    world["access_request"] = CaseAccessRequest.objects.create(
        case=case, from_case=make_case(), requested_by=investigator, reason="Synthetic."
    )
    # A cluster (linkage API): the case's S2 and another Kent case's, linked automatically.
    world["cluster"], world["cluster_link"] = _cluster_of(
        case.parties.get(ref="S2"), make_case().parties.get(ref="S2")
    )
    # A network: a phone the case's suspect shares with another Kent case's ties them.
    world["network"] = _network_of(case, make_case())
    _one_of_each_admin_model(world, investigator, liaison_officer)
    for part in policy.PARTS:  # tests/policy_parts: each feature's own objects
        if hasattr(part, "world"):
            part.world(world, investigator=investigator, liaison_officer=liaison_officer)
    return world


def _network_of(case, other):
    """The network of the case and another, tied by a phone their suspects share."""
    from cases.linkage.networks import networks_recompute
    from cases.models import PersonIdentifier

    for party in (case.parties.get(ref="S1"), other.parties.get(ref="S1")):
        PersonIdentifier.objects.create(
            person=party.person, kind="phone", value="07700 900000", key="07700900000"
        )
    networks_recompute()
    return case.network_membership.network


def _cluster_of(a, b):
    """A nominal of two records joined by a link made automatically (no personal values)."""
    from cases.models import Nominal, NominalMember, PersonLink

    left, right = sorted([a, b], key=lambda party: party.pk)
    link = PersonLink.objects.create(
        left=left, right=right, status="proposed", match_probability=0.99, evidence=[]
    )
    nominal = Nominal.objects.create(role=a.role)
    NominalMember.objects.bulk_create([NominalMember(party=p, nominal=nominal) for p in (a, b)])
    return nominal, link


def _one_of_each_admin_model(world, investigator, officer) -> None:
    """Rows for the admin's models that the pages above do not make (synthetic)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    from beaconport.audit.services import audit_consult
    from cases.models import CaseCriterion, CaseTransition, InvestigativeEvent
    from liaison.models import ReminderDelivery

    case = world["case"]
    audit_consult(obj=case, actor=investigator)
    AuthToken.objects.create(user=investigator)
    TOTPDevice.objects.create(user=investigator, name="phone", confirmed=True)
    StaticDevice.objects.create(user=investigator, name="backup")
    seen = {"user_agent": "test", "ip_address": "192.0.2.99", "username": "nobody"}
    seen |= {"http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    CaseCriterion.objects.create(
        case=case, name="decision_window", result="pass", reason="Inside the window."
    )
    CaseTransition.objects.create(
        case=case, from_status=case.status, to_status=case.status, by=investigator, reason="x"
    )
    InvestigativeEvent.objects.create(
        case=case, type="arrest", occurred_on=timezone.localdate(), recorded_by=investigator
    )
    _one_of_each_person_index_model(case, investigator)
    stage = ReminderDelivery._meta.get_field("stage").choices[0][0]
    ReminderDelivery.objects.create(
        follow_up=world["followup"], stage=stage, recipient=officer, sent_at=timezone.now()
    )


def _one_of_each_person_index_model(case, investigator) -> None:
    """Rows for the person index's admin pages (issue 10), where the world has none."""
    from cases.models import (
        CaseAccessRequest,
        CaseNetwork,
        LinkageModel,
        LinkageRun,
        Network,
        PersonIdentifier,
    )

    model = LinkageModel.objects.create(
        version=1,
        path="model-v1.json",
        sha256="0" * 64,
        settings={},
        records=2,
        auto_threshold=0.95,
        review_threshold=0.5,
    )
    LinkageRun.objects.create(model=model, records=2)
    PersonIdentifier.objects.create(
        person=case.parties.get(ref="S1").person, kind="vehicle", value="AB12 CDE", key="AB12CDE"
    )
    if not Network.objects.exists():
        network = Network.objects.create(case_count=2, force_count=1)
        CaseNetwork.objects.bulk_create(
            [CaseNetwork(case=make_case(), network=network) for _ in range(2)]
        )
    if not CaseAccessRequest.objects.exists():
        CaseAccessRequest.objects.create(
            case=make_case(), from_case=case, requested_by=investigator, reason="Synthetic."
        )


def _admin_object_id(route: Route, world) -> str:
    """The pk of an object of the admin route's model (the world's where it has one)."""
    for model in admin.site._registry:
        stem = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.pattern.startswith(stem):
            obj = model._default_manager.order_by("pk").first()
            assert obj is not None, f"the data set has no {model._meta.label}: add one"
            return str(obj.pk)
    raise AssertionError(f"no admin model for {route.pattern}")


def url_of(route: Route, world, users) -> str:
    """The route's path, its arguments filled from the data set."""
    case = world["case"]
    values = {
        "reference": case.reference,
        "ref": "S1" if route.key in ("cases:flag_add", "people:access_request_ask") else "V1",
        "object_pk": str(case.pk),
        "user_id": str(users["investigator"].pk),
        "id": str(users["investigator"].pk),
        "group_id": str(Group.objects.get(name=Role.INVESTIGATOR.value).pk),
        "content_type_id": str(ContentType.objects.get_for_model(case).pk),
        "app_label": route.pattern.split("(?P<app_label>")[1].split("|")[0].lstrip("(")
        if "(?P<app_label>" in route.pattern
        else "",
        "url": "no-such-page/",
        "key": policy.REPORT_KEY,  # a dashboard's slug (reports)
    }
    if "object_id" in route.arguments:
        values["object_id"] = (
            str(case.pk) if route.key == "admin:view_on_site" else _admin_object_id(route, world)
        )
    if "pk" in route.arguments:
        values["pk"] = str(world[policy.PK_OF[route.key]].pk)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route.pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    return path.replace("^", "").replace("$", "")


# --- the matrix ---------------------------------------------------------------------------


def _state() -> dict:
    """Every row of case and liaison data, and who is in which group (not notifications,
    which their owner may mark read)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("cases", "liaison") and m._meta.model_name != "notification"
    ]
    state = {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}
    memberships = get_user_model().groups.through.objects.order_by("pk").values()
    state["memberships"] = list(memberships)
    return state


def _client(user) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_every_route_answers_every_persona_as_the_policy_says(request, world, capsys):
    expected = {} if DRAFT else policy.expanded()
    users = {name: _persona(request, name) for name in policy.PERSONAS}
    routes = sorted(resolver_routes(), key=lambda r: r.key)
    clients = {name: _client(user) for name, user in users.items()}
    before = _state()
    wrong, checks, draft = [], 0, {}
    for route in routes:
        url = url_of(route, world, users)
        methods = policy.API_METHODS if route.is_api else policy.WEB_METHODS
        for name, user in users.items():
            client = clients[name]
            for method in methods:
                response = getattr(client, method.lower())(url)
                checks += 1
                if route.key in policy.SIGNS_OUT:  # a fresh session for what follows
                    client = clients[name] = _client(user)
                if DRAFT:
                    draft.setdefault(route.key, {}).setdefault(method, {})[name] = (
                        response.status_code
                    )
                    continue
                want = expected[route.key][method][name]
                if response.status_code != want:
                    wrong.append((route.key, name, method, response.status_code, want))
    if DRAFT:
        Path(DRAFT).write_text(json.dumps(draft, indent=1))
    with capsys.disabled():
        print(f"\naccess policy: {checks} route x persona x method checks, {len(wrong)} wrong")
    assert not wrong, "\n".join(
        f"{route} as {persona}, {method}: answered {got}, the policy says {want}"
        for route, persona, method, got, want in wrong
    )
    assert _state() == before, "a request without form data changed the case or liaison data"
