"""Every route but sign-in, /healthz and the accessibility statement turns an anonymous
visitor away."""

import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Routes that anyone may reach: signing in, the health check for load balancers, and the
# accessibility statement (published for anyone, signed in or not).
PUBLIC = {"login", "healthz", "admin:login", "accessibility"}
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}


def walk(patterns, prefix="", namespace=None):
    """Every concrete route as (route name, URL with sample arguments)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns and namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, route


def concrete_url(route: str) -> str:
    """A URL for a route, its converters filled with sample values."""
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    # Regex routes (admin): fill groups with a sample value, drop anchors and escapes.
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.replace("\\", "").replace("^", "").replace("$", "")
    return "/" + route


ROUTES = sorted(set(walk(get_resolver().url_patterns)), key=lambda r: (r[1], r[0] or ""))
PROTECTED = [(name, route) for name, route in ROUTES if name not in PUBLIC]


def test_the_walk_finds_the_routes_that_matter():
    names = {name for name, _ in ROUTES}
    assert {"home", "login", "logout", "healthz", "password_change"} <= names
    assert any(route.startswith("admin/") for _, route in ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), PROTECTED, ids=[f"{n}:{r}" for n, r in PROTECTED])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name, route):
    url = concrete_url(route)
    response = client.get(url)
    if route.startswith("api/"):
        # The API has no login page: it answers 401/403 and never any data.
        assert response.status_code in (401, 403), (url, response.status_code)
        return
    assert response.status_code == 302, (url, response.status_code)
    # Admin pages may send to the admin's own sign-in page; everything else to ours.
    login_urls = (reverse(settings.LOGIN_URL), reverse("admin:login"))
    assert response["Location"].startswith(login_urls), (url, response["Location"])


@pytest.mark.django_db
def test_the_public_routes_answer_without_sign_in(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get(reverse("admin:login")).status_code == 200
