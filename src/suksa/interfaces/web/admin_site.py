"""The Django admin, reachable only by system administrators who passed the account gate.

Django's own admin gate is ``is_staff``, a global flag that knows nothing of scopes. Suksa's
admin instead asks the policy: the user must hold a ``sysadmin`` grant (any scope: the model
admins then filter by that scope) and have satisfied two-factor where their grants require it.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from suksa.core.policy import Role
from suksa.domains.accounts.actors import actor_for
from suksa.interfaces.web.twofactor import two_factor_satisfied


class SuksaAdminSite(AdminSite):
    site_header = "ศึกษา · ผู้ดูแลระบบ / Suksa administration"
    site_title = "ศึกษา / Suksa"
    index_title = "ผู้ดูแลระบบ / Administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        actor = getattr(request, "actor", None) or actor_for(user)
        return Role.SYSADMIN in actor.roles and two_factor_satisfied(request)
