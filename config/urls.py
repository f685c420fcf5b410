"""Top-level URL map: the web shell, the REST API v1 and the admin."""

from django.contrib import admin
from django.urls import include, path

from suksa.interfaces.web.views import shell
from suksa.interfaces.web.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Our switch also stores a signed-in user's choice; it must precede Django's at the same URL.
    path("i18n/setlang/", shell.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("suksa.interfaces.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("suksa.interfaces.web.urls")),
]

handler403 = "suksa.interfaces.web.views.errors.permission_denied"
handler404 = "suksa.interfaces.web.views.errors.page_not_found"
handler500 = "suksa.interfaces.web.views.errors.server_error"
