"""REST API v1: one module of views per area, each exporting ``urlpatterns``.

``imports`` comes first: its fixed paths (``org-units/import/``, ``users/import/``) must win over
the ``<code>``/``<id>`` paths of the other modules. ``schema`` comes last: it ends with the
catch-all that answers unknown API paths with the bilingual 404 body.
"""

from suksa.interfaces.api.views import accounts, audit, imports, org, schema
from suksa.interfaces.api.views.students import attendance, census, enrolment, indicators, registry
from suksa.interfaces.api.views.students import imports as student_imports

app_name = "api"
urlpatterns = [
    *imports.urlpatterns,
    *student_imports.urlpatterns,
    *registry.urlpatterns,
    *enrolment.urlpatterns,
    *attendance.urlpatterns,
    *census.urlpatterns,
    *indicators.urlpatterns,
    *org.urlpatterns,
    *accounts.urlpatterns,
    *audit.urlpatterns,
    *schema.urlpatterns,
]
