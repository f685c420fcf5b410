"""Students web pages, one module per slice, each exporting ``urlpatterns``."""
