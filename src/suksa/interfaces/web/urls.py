"""The web shell's URL map: one module of views per area, each exporting ``urlpatterns``."""

from suksa.interfaces.web.views import accounts, audit, imports, org, shell

app_name = "web"
urlpatterns = [
    *shell.urlpatterns,
    *org.urlpatterns,
    *accounts.urlpatterns,
    *audit.urlpatterns,
    *imports.urlpatterns,
]
