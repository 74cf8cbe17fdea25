"""The project's routes plus two demonstration views that ask for a justification."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from beaconport.audit.justification import justification_required, require_justification
from beaconport.audit.services import audit_consult
from beaconport.urls import urlpatterns as project_urlpatterns


def victim_identity(request, pk):
    """Like a case page showing a victim's name: asks why first, then logs the read."""
    if response := require_justification(
        request, object_type="cases.caseparty", object_id=pk, reason="victim identity"
    ):
        return response
    audit_consult(object_type="cases.caseparty", object_id=pk)
    return HttpResponse(f"identity of party {pk}")


@justification_required(
    reason="outside assignment",
    subject=lambda request, pk: ("cases.case", pk),
    when=lambda request, pk: pk != 1,  # case 1 is "assigned"; others need a reason
)
def case_outside_assignment(request, pk):
    audit_consult(object_type="cases.case", object_id=pk)
    return HttpResponse(f"case {pk}")


class PartyDetailAPI(APIView):
    """Like an API detail endpoint: token-authenticated by DRF, not by the middleware."""

    def get(self, request, pk):
        audit_consult(object_type="cases.caseparty", object_id=pk)
        return Response({"pk": pk})


urlpatterns = [
    *project_urlpatterns,
    path("test-audit/party/<int:pk>/identity/", victim_identity),
    path("test-audit/case/<int:pk>/", case_outside_assignment),
    path("test-audit/api/party/<int:pk>/", PartyDetailAPI.as_view()),
]
