"""A review that cannot be cut short (issue 13): recording "no failings found" and the
approval of a completed review (namespace "gate", under /cases/). The approval itself is
the case page's transition (`cases:transition`), where the gate and four-eyes apply."""

from django.urls import path

from cases.views import gate

app_name = "gate"

urlpatterns = [
    path("<str:reference>/no-failings/", gate.no_failings_record, name="no_failings"),
    path(
        "<str:reference>/no-failings/withdraw/",
        gate.no_failings_withdraw,
        name="no_failings_withdraw",
    ),
]
