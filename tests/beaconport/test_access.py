"""The access layer's own promises (beaconport/access.py), apart from any one route."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from beaconport.access import AccessRequiredMixin, access_required, get_for, restrict
from beaconport.audit.models import AuditEvent
from beaconport.models import SecurityEvent
from beaconport.roles import Role
from cases.models import Case
from cases.permissions import cases_visible_to, grant_case_access
from liaison.models import FollowUp, LiaisonRecord
from liaison.permissions import followups_visible_to, records_visible_to
from tests.factories import CaseFactory
from tests.liaison.test_views_setup import open_followup, record_for

pytestmark = pytest.mark.django_db


def test_a_model_nobody_registered_is_refused_outright():
    with pytest.raises(ImproperlyConfigured):
        restrict(Group.objects.all(), user=None)


def test_restrict_gives_what_the_permission_module_says(investigator, liaison_officer):
    mine, _theirs = CaseFactory(), CaseFactory()
    grant_case_access(investigator, mine)
    assert list(Case.objects.restrict(investigator)) == list(cases_visible_to(investigator))
    assert list(Case.objects.restrict(investigator)) == [mine]
    record = record_for(liaison_officer)
    open_followup(record)
    record_for(None)
    assert list(LiaisonRecord.objects.restrict(liaison_officer)) == [record]
    assert list(LiaisonRecord.objects.restrict(liaison_officer)) == list(
        records_visible_to(liaison_officer)
    )
    assert list(FollowUp.objects.restrict(liaison_officer)) == list(
        followups_visible_to(liaison_officer)
    )
    assert not Case.objects.restrict(liaison_officer).exists()


def test_restrict_keeps_the_callers_filters_and_joins(investigator):
    mine, other = CaseFactory(summary="keep"), CaseFactory(summary="drop")
    grant_case_access(investigator, mine)
    grant_case_access(investigator, other)
    narrowed = Case.objects.select_related("force").filter(summary="keep")
    assert list(narrowed.restrict(investigator)) == [mine]


def test_get_for_answers_404_alike_and_logs_only_the_refusal_of_what_exists(
    investigator, other_investigator
):
    theirs = CaseFactory()
    grant_case_access(other_investigator, theirs)
    for pk in (theirs.pk, 999_999, None):
        with pytest.raises(Http404) as raised:
            get_for(investigator, Case.objects, pk, missing="No such case")
        assert str(raised.value) == "No such case"
    event = SecurityEvent.objects.get()  # outside a request: written at once
    assert (event.kind, event.object_type, event.object_ids) == (
        "not_yours",
        "cases.case",
        str(theirs.pk),
    )


def test_get_for_hands_out_what_the_user_may_act_on_and_logs_the_read(investigator):
    mine = CaseFactory()
    grant_case_access(investigator, mine)
    before = AuditEvent.objects.count()
    assert get_for(investigator, Case.objects, mine.pk) == mine
    assert AuditEvent.objects.count() == before + 1
    with pytest.raises(Http404):
        get_for(investigator, Case.objects, mine.pk, action="assign", allowed=lambda *a: False)


def _request(user, method="get"):
    request = getattr(RequestFactory(), method)("/somewhere/")
    request.user = user
    return request


def test_the_wrong_role_gets_404_and_the_right_one_the_page(investigator, analyst):
    @access_required(Role.ANALYST, methods=["GET"])
    def reports(request):
        return HttpResponse("counts")

    assert reports(_request(analyst)).status_code == 200
    assert reports(_request(analyst, "post")).status_code == 405
    with pytest.raises(Http404):
        reports(_request(investigator))
    with pytest.raises(Http404):  # 404 before 405: the wrong role learns nothing
        reports(_request(investigator, "post"))


def test_the_mixin_checks_like_the_decorator(investigator, analyst):
    class Reports(AccessRequiredMixin, View):
        access_test = staticmethod(lambda user: user.username == "ana.analyst")

        def get(self, request):
            return HttpResponse("counts")

    view = Reports.as_view()
    assert view(_request(analyst)).status_code == 200
    with pytest.raises(Http404):
        view(_request(investigator))


def test_an_inactive_user_passes_no_role_check(analyst):
    analyst.is_active = False

    @access_required(Role.ANALYST)
    def reports(request):
        return HttpResponse("counts")

    with pytest.raises(Http404):
        reports(_request(analyst))
