"""Students REST endpoints, one module per slice, each exporting ``urlpatterns``."""
