"""Nothing shown to a signed-in user is kept by a browser or a proxy (Cache-Control: no-store).

Pages and API answers to a signed-in user may name victims and suspects; the simplest
honest rule is that none of them is stored, so a shared computer's cache or back button
holds nothing. Static files and /healthz carry no personal data and keep their own headers.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

EXEMPT_PATHS = ("/healthz",)


class NoStoreMiddleware:
    """Mark every response to a signed-in user (page or API) never to be cached or stored.

    Placed after AuthenticationMiddleware; it reads the user once the view has run, so an
    API request signed in by a token (DRF sets the user in the view) is covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        static = "/" + settings.STATIC_URL.lstrip("/")
        self.exempt = (*EXEMPT_PATHS, static)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.exempt):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # no-cache, no-store, must-revalidate, private, max-age=0 and an Expires now.
            add_never_cache_headers(response)
        return response
