"""REST API v1: one module of views per area, each exporting ``urlpatterns``.

``imports`` comes first: its fixed paths (``org-units/import/``, ``users/import/``) must win over
the ``<code>``/``<id>`` paths of the other modules. ``schema`` comes last: it ends with the
catch-all that answers unknown API paths with the bilingual 404 body.
"""

from suksa.interfaces.api.views import accounts, audit, imports, org, schema
from suksa.interfaces.api.views.cockpit import figures as cockpit_figures
from suksa.interfaces.api.views.insights import alerts as ins_alerts
from suksa.interfaces.api.views.insights import briefs as ins_briefs
from suksa.interfaces.api.views.insights import cases as ins_cases
from suksa.interfaces.api.views.insights import drafting as ins_drafting
from suksa.interfaces.api.views.insights import lessons as ins_lessons
from suksa.interfaces.api.views.insights import notifications as ins_notifications
from suksa.interfaces.api.views.insights import runs as ins_runs
from suksa.interfaces.api.views.insights import schools as ins_schools
from suksa.interfaces.api.views.insights import strengths as ins_strengths
from suksa.interfaces.api.views.insights import trends as ins_trends
from suksa.interfaces.api.views.monitoring import catalogue as mon_catalogue
from suksa.interfaces.api.views.monitoring import external as mon_external
from suksa.interfaces.api.views.monitoring import frameworks as mon_frameworks
from suksa.interfaces.api.views.monitoring import quality as mon_quality
from suksa.interfaces.api.views.monitoring import reports as mon_reports
from suksa.interfaces.api.views.monitoring import review as mon_review
from suksa.interfaces.api.views.monitoring import status as mon_status
from suksa.interfaces.api.views.monitoring import works as mon_works
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
    *mon_external.urlpatterns,
    *mon_catalogue.urlpatterns,
    *mon_frameworks.urlpatterns,
    *mon_reports.urlpatterns,
    *mon_works.urlpatterns,
    *mon_quality.urlpatterns,
    *mon_review.urlpatterns,
    *mon_status.urlpatterns,
    *ins_runs.urlpatterns,
    *ins_trends.urlpatterns,
    *ins_strengths.urlpatterns,
    *ins_schools.urlpatterns,
    *ins_cases.urlpatterns,
    *ins_lessons.urlpatterns,
    *ins_alerts.urlpatterns,
    *ins_notifications.urlpatterns,
    *ins_briefs.urlpatterns,
    *ins_drafting.urlpatterns,
    *cockpit_figures.urlpatterns,
    *org.urlpatterns,
    *accounts.urlpatterns,
    *audit.urlpatterns,
    *schema.urlpatterns,
]
