"""A review that cannot be cut short (issue 13): recording "no failings found" and the
approval of a completed review (namespace "gate", under /cases/)."""

app_name = "gate"

urlpatterns = []
