"""The web shell's URL map: one module of views per area, each exporting ``urlpatterns``."""

from suksa.interfaces.web.views import accounts, audit, imports, org, shell
from suksa.interfaces.web.views.cockpit import cases as cp_cases
from suksa.interfaces.web.views.cockpit import compare as cp_compare
from suksa.interfaces.web.views.cockpit import exports as cp_exports
from suksa.interfaces.web.views.cockpit import overview as cp_overview
from suksa.interfaces.web.views.cockpit import units as cp_units
from suksa.interfaces.web.views.insights import alerts as ins_alerts
from suksa.interfaces.web.views.insights import briefs as ins_briefs
from suksa.interfaces.web.views.insights import cases as ins_cases
from suksa.interfaces.web.views.insights import drafting as ins_drafting
from suksa.interfaces.web.views.insights import home as ins_home
from suksa.interfaces.web.views.insights import lessons as ins_lessons
from suksa.interfaces.web.views.insights import notifications as ins_notifications
from suksa.interfaces.web.views.insights import schools as ins_schools
from suksa.interfaces.web.views.insights import strengths as ins_strengths
from suksa.interfaces.web.views.insights import trends as ins_trends
from suksa.interfaces.web.views.monitoring import catalogue as mon_catalogue
from suksa.interfaces.web.views.monitoring import external as mon_external
from suksa.interfaces.web.views.monitoring import frameworks as mon_frameworks
from suksa.interfaces.web.views.monitoring import home as mon_home
from suksa.interfaces.web.views.monitoring import quality as mon_quality
from suksa.interfaces.web.views.monitoring import reports as mon_reports
from suksa.interfaces.web.views.monitoring import review as mon_review
from suksa.interfaces.web.views.monitoring import status as mon_status
from suksa.interfaces.web.views.monitoring import works as mon_works
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
    *mon_home.urlpatterns,
    *mon_external.urlpatterns,
    *mon_catalogue.urlpatterns,
    *mon_frameworks.urlpatterns,
    *mon_reports.urlpatterns,
    *mon_works.urlpatterns,
    *mon_quality.urlpatterns,
    *mon_review.urlpatterns,
    *mon_status.urlpatterns,
    *ins_home.urlpatterns,
    *ins_trends.urlpatterns,
    *ins_strengths.urlpatterns,
    *ins_schools.urlpatterns,
    *ins_cases.urlpatterns,
    *ins_lessons.urlpatterns,
    *ins_alerts.urlpatterns,
    *ins_notifications.urlpatterns,
    *ins_briefs.urlpatterns,
    *ins_drafting.urlpatterns,
    *cp_overview.urlpatterns,
    *cp_units.urlpatterns,
    *cp_compare.urlpatterns,
    *cp_cases.urlpatterns,
    *cp_exports.urlpatterns,
]
