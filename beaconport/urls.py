"""Top-level routes. Every page requires sign-in except login, /healthz and the accessibility
statement.

Each app adds its pages under its own prefix and its API under /api/v1/.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from beaconport import views

api_patterns = [
    # The API authenticates itself (session or token) and answers 401/403, never a redirect.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include("cases.api.urls")),
    path("", include("cases.api.urls_intake")),
    path("liaison/", include("liaison.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The accessibility statement (issue 13): public, linked from every page's footer.
    path(
        "accessibility/",
        login_not_required(TemplateView.as_view(template_name="accessibility.html")),
        name="accessibility",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("beaconport.signin.urls")),
    path("accounts/", include("beaconport.accounts.urls")),
    # Case-file material (issue 12): before "cases/", which takes "<reference>/" for a case.
    path("cases/", include("cases.urls_documents")),
    path("cases/", include("cases.urls_citations")),
    path("cases/", include("cases.urls_export")),
    path("cases/", include("cases.urls_review")),
    path("cases/", include("cases.urls_gate")),
    path("cases/", include("cases.urls")),
    path("documents/", include("cases.urls_document_search")),
    path("intake/", include("cases.urls_intake")),
    path("people/", include("cases.urls_people")),
    path("api/v1/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
    path("audit/", include("beaconport.audit.urls")),
    path("liaison/", include("liaison.urls")),
    path("reports/", include("beaconport.reports.urls")),
]
