"""App config that swaps Django's admin site for :class:`~.admin_site.SuksaAdminSite`.

Kept apart from the site itself because app configs load before models do.
"""

from django.contrib.admin.apps import AdminConfig


class SuksaAdminConfig(AdminConfig):
    default_site = "suksa.interfaces.web.admin_site.SuksaAdminSite"
