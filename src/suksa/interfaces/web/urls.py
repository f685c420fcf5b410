"""The web shell's URL map: one module of views per area, each exporting ``urlpatterns``."""

from suksa.interfaces.web.views import accounts, audit, imports, org, shell
from suksa.interfaces.web.views.students import attendance, census, enrolment, indicators, registry
from suksa.interfaces.web.views.students import imports as student_imports

app_name = "web"
urlpatterns = [
    *shell.urlpatterns,
    *org.urlpatterns,
    *accounts.urlpatterns,
    *audit.urlpatterns,
    *imports.urlpatterns,
    *student_imports.urlpatterns,
    *registry.urlpatterns,
    *enrolment.urlpatterns,
    *attendance.urlpatterns,
    *census.urlpatterns,
    *indicators.urlpatterns,
]
