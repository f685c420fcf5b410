"""REST API v1: one module of views per area, each exporting ``urlpatterns``."""

from suksa.interfaces.api.views import accounts, audit, imports, org

app_name = "api"
urlpatterns = [*org.urlpatterns, *accounts.urlpatterns, *audit.urlpatterns, *imports.urlpatterns]
