"""The review's own record (issue 13): the decision log and offences added or corrected
(namespace "review", under /cases/)."""

app_name = "review"

urlpatterns = []
