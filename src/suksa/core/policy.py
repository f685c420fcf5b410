"""Who may do what, where: roles, permissions and scopes, declared once.

Services, selectors, the API, the web views and the admin all ask this module. A role is granted
on an org unit and covers that unit's subtree. An :class:`Actor` is the request-scoped view of a
user's grants (built once per request by ``accounts``), so policy checks issue no queries.
See docs/adr/0003-scoped-role-assignments.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q

from suksa.core.lookups import subtree_q


class Role(StrEnum):
    NATIONAL_EXECUTIVE = "national_executive"
    NATIONAL_ME_OFFICER = "national_me_officer"
    ME_REVIEWER = "me_reviewer"
    INSPECTOR = "inspector"
    ESA_DIRECTOR = "esa_director"
    ESA_OFFICER = "esa_officer"
    SCHOOL_DIRECTOR = "school_director"
    SCHOOL_STAFF = "school_staff"
    TEACHER = "teacher"
    DPO = "dpo"
    SYSADMIN = "sysadmin"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.NATIONAL_EXECUTIVE: ("ผู้บริหารระดับชาติ", "National executive"),
    Role.NATIONAL_ME_OFFICER: ("เจ้าหน้าที่ติดตามและประเมินผลส่วนกลาง", "National M&E officer"),
    Role.ME_REVIEWER: ("ผู้ตรวจพิจารณารายงานติดตามและประเมินผล", "M&E report reviewer"),
    Role.INSPECTOR: ("ผู้ตรวจราชการ", "Inspector"),
    Role.ESA_DIRECTOR: ("ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา", "ESA director"),
    Role.ESA_OFFICER: ("เจ้าหน้าที่สำนักงานเขตพื้นที่การศึกษา", "ESA officer"),
    Role.SCHOOL_DIRECTOR: ("ผู้อำนวยการโรงเรียน", "School director"),
    Role.SCHOOL_STAFF: ("บุคลากรโรงเรียน", "School staff"),
    Role.TEACHER: ("ครู", "Teacher"),
    Role.DPO: ("เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล", "Data protection officer"),
    Role.SYSADMIN: ("ผู้ดูแลระบบ", "System administrator"),
}

# The org-unit kinds on which each role may be granted.
ROLE_UNIT_KINDS: dict[Role, frozenset[str]] = {
    Role.NATIONAL_EXECUTIVE: frozenset({"nation"}),
    Role.NATIONAL_ME_OFFICER: frozenset({"nation"}),
    Role.ME_REVIEWER: frozenset({"nation", "region"}),
    Role.INSPECTOR: frozenset({"nation", "region"}),
    Role.ESA_DIRECTOR: frozenset({"esa"}),
    Role.ESA_OFFICER: frozenset({"esa"}),
    Role.SCHOOL_DIRECTOR: frozenset({"school"}),
    Role.SCHOOL_STAFF: frozenset({"school"}),
    Role.TEACHER: frozenset({"school"}),
    Role.DPO: frozenset({"nation", "region", "esa", "school"}),
    Role.SYSADMIN: frozenset({"nation", "region", "esa", "school"}),
}

# Roles held at these kinds must log in with a second factor (TOTP).
TWO_FACTOR_UNIT_KINDS = frozenset({"nation", "region", "esa"})


class Perm(StrEnum):
    ORG_VIEW = "org.view"  # see org units, school profiles and their aggregate figures
    ORG_MANAGE = "org.manage"  # create, edit, import org units
    SCHOOL_EDIT = "school.edit"  # edit a school's own profile
    USER_VIEW = "user.view"  # list users and their role assignments
    USER_MANAGE = "user.manage"  # create users, grant and revoke roles, bulk import
    USER_RESET_PASSWORD = "user.reset_password"  # noqa: S105 - a permission name, not a secret
    AUDIT_VIEW = "audit.view"  # read and export the audit log
    SENSITIVE_READ = "sensitive.read"  # read sensitive personal data (audited)
    STUDENT_VIEW = "student.view"  # see learners' records (names, IDs, enrolments) in scope
    ROOM_VIEW = "room.view"  # see the learners of one's own homerooms only (teachers)
    STUDENT_EDIT = "student.edit"  # register, enrol, transfer, year-end, import learners
    ATTENDANCE_RECORD = "attendance.record"  # mark attendance (teachers: their own rooms)
    CENSUS_CERTIFY = "census.certify"  # take and certify the school's census return
    CENSUS_ACKNOWLEDGE = "census.acknowledge"  # acknowledge schools' certified returns (ESA)
    CENSUS_CLOSE = "census.close"  # open and close census rounds, amend after closing (nation)
    DUPLICATE_RESOLVE = "student.resolve_duplicate"  # resolve one-person-two-schools claims
    INDICATOR_COMPUTE = "indicator.compute"  # recompute stored indicator values
    MONITORING_MANAGE = "monitoring.manage"  # catalogue, targets, frameworks, rounds, rules, reviewers
    REPORT_VIEW = "report.view"  # read ESA monitoring reports in scope (not for reviewers: see below)
    REPORT_EDIT = "report.edit"  # fill the own ESA's report: values, narratives, evidence, works
    REPORT_SUBMIT = "report.submit"  # submit the own ESA's report (the ESA director)
    # Review the reports assigned to oneself (selectors narrow to Report.reviewer == the user).
    REPORT_REVIEW = "report.review"
    INSIGHTS_VIEW = "insights.view"  # read trends, strengths, school models, lessons, cases in scope
    INSIGHTS_RUN = "insights.run"  # start an insights run for a round (national M&E)
    ALERT_VIEW = "alert.view"  # see early-warning alerts about units in scope
    ALERT_ACT = "alert.act"  # acknowledge an alert, record an action, resolve or reopen it
    BRIEF_VIEW = "brief.view"  # read published policy briefs (drafts: participants and writers)
    BRIEF_WRITE = "brief.write"  # generate, edit, invite participants, decide amendments, publish
    BRIEF_PARTICIPATE = "brief.participate"  # comment, propose amendments, endorse (when invited)


_EVERYONE = frozenset(Role)
ROLE_PERMS: dict[Role, frozenset[Perm]] = {role: frozenset({Perm.ORG_VIEW}) for role in _EVERYONE}
ROLE_PERMS[Role.SCHOOL_DIRECTOR] |= {
    Perm.SCHOOL_EDIT, Perm.USER_VIEW, Perm.USER_RESET_PASSWORD, Perm.SENSITIVE_READ,
    Perm.STUDENT_VIEW, Perm.STUDENT_EDIT, Perm.ATTENDANCE_RECORD, Perm.CENSUS_CERTIFY,
}  # fmt: skip
ROLE_PERMS[Role.SCHOOL_STAFF] |= {
    Perm.SCHOOL_EDIT, Perm.SENSITIVE_READ, Perm.STUDENT_VIEW, Perm.STUDENT_EDIT, Perm.ATTENDANCE_RECORD,
}  # fmt: skip
# A teacher sees and marks only the rooms they are homeroom teacher of (selectors narrow it).
ROLE_PERMS[Role.TEACHER] |= {Perm.ROOM_VIEW, Perm.ATTENDANCE_RECORD}
# ESA staff are the named roles that see learners' records of their schools (for transfers,
# duplicate claims and census checks); executives, inspectors and M&E see aggregates only.
ROLE_PERMS[Role.ESA_DIRECTOR] |= {
    Perm.USER_VIEW, Perm.USER_RESET_PASSWORD, Perm.STUDENT_VIEW, Perm.CENSUS_ACKNOWLEDGE, Perm.DUPLICATE_RESOLVE,
}  # fmt: skip
ROLE_PERMS[Role.ESA_OFFICER] |= {Perm.STUDENT_VIEW, Perm.CENSUS_ACKNOWLEDGE, Perm.DUPLICATE_RESOLVE}
ROLE_PERMS[Role.NATIONAL_ME_OFFICER] |= {
    Perm.CENSUS_CLOSE, Perm.INDICATOR_COMPUTE, Perm.MONITORING_MANAGE, Perm.REPORT_VIEW, Perm.REPORT_REVIEW,
}  # fmt: skip
# Reviewers of the bureau see only the reports assigned to them (no REPORT_VIEW).
ROLE_PERMS[Role.ME_REVIEWER] |= {Perm.REPORT_REVIEW}
# ESA staff fill their own report; only the director submits it.
ROLE_PERMS[Role.ESA_DIRECTOR] |= {Perm.REPORT_VIEW, Perm.REPORT_EDIT, Perm.REPORT_SUBMIT}
ROLE_PERMS[Role.ESA_OFFICER] |= {Perm.REPORT_VIEW, Perm.REPORT_EDIT}
# Executives and inspectors read every report in their scope.
ROLE_PERMS[Role.NATIONAL_EXECUTIVE] |= {Perm.REPORT_VIEW}
ROLE_PERMS[Role.INSPECTOR] |= {Perm.REPORT_VIEW}
# Insights: everyone who reads reports reads the insights of their scope; the bureau runs them and
# writes briefs; executives and ESA directors act on alerts; national and ESA roles may be invited
# to shape a brief.
_INSIGHT_READERS = (
    Role.NATIONAL_EXECUTIVE, Role.NATIONAL_ME_OFFICER, Role.INSPECTOR, Role.ESA_DIRECTOR, Role.ESA_OFFICER,
)  # fmt: skip
for _role in _INSIGHT_READERS:
    ROLE_PERMS[_role] |= {Perm.INSIGHTS_VIEW, Perm.ALERT_VIEW, Perm.BRIEF_VIEW, Perm.BRIEF_PARTICIPATE}
ROLE_PERMS[Role.ME_REVIEWER] |= {Perm.BRIEF_VIEW, Perm.BRIEF_PARTICIPATE}
ROLE_PERMS[Role.NATIONAL_ME_OFFICER] |= {Perm.INSIGHTS_RUN, Perm.BRIEF_WRITE, Perm.ALERT_ACT}
ROLE_PERMS[Role.NATIONAL_EXECUTIVE] |= {Perm.ALERT_ACT}
ROLE_PERMS[Role.ESA_DIRECTOR] |= {Perm.ALERT_ACT}
ROLE_PERMS[Role.DPO] |= {Perm.AUDIT_VIEW, Perm.USER_VIEW}
# System administrators run imports and recomputations; they never read sensitive data.
ROLE_PERMS[Role.SYSADMIN] |= {
    Perm.ORG_MANAGE, Perm.SCHOOL_EDIT, Perm.USER_VIEW, Perm.USER_MANAGE, Perm.USER_RESET_PASSWORD,
    Perm.AUDIT_VIEW, Perm.STUDENT_VIEW, Perm.STUDENT_EDIT, Perm.CENSUS_CLOSE, Perm.DUPLICATE_RESOLVE,
    Perm.INDICATOR_COMPUTE,
}  # fmt: skip


@dataclass(frozen=True)
class Grant:
    """One role held on one org unit (identified by its materialised path)."""

    role: Role
    unit_id: int
    unit_path: str
    unit_kind: str

    def covers(self, path: str) -> bool:
        return path.startswith(self.unit_path)


@dataclass(frozen=True)
class Actor:
    """Who is acting, with every grant they hold. Anonymous actors have no grants."""

    user_id: int | None
    username: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    source: str = "web"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def grants_for(self, perm: Perm) -> list[Grant]:
        return [g for g in self.grants if perm in ROLE_PERMS[g.role]]

    def can(self, perm: Perm, path: str) -> bool:
        """May the actor do ``perm`` on the unit at ``path`` (or anything inside it)?"""
        return any(g.covers(path) for g in self.grants_for(perm))

    def can_anywhere(self, perm: Perm) -> bool:
        return bool(self.grants_for(perm))

    def can_nationally(self, perm: Perm) -> bool:
        """Does the actor hold ``perm`` through a grant on the nation itself (national duties:
        closing census rounds, the monitoring catalogue and rounds, recomputations)?"""
        return any(g.unit_kind == "nation" for g in self.grants_for(perm))

    def scope_paths(self, perm: Perm) -> list[str]:
        """The minimal set of subtree roots the actor may ``perm`` in."""
        paths = sorted({g.unit_path for g in self.grants_for(perm)})
        minimal: list[str] = []
        for p in paths:
            if not any(p.startswith(m) for m in minimal):
                minimal.append(p)
        return minimal

    def scope_q(self, perm: Perm, path_field: str = "path") -> Q:
        """A filter selecting rows whose org-unit path lies in the actor's scope for ``perm``."""
        paths = self.scope_paths(perm)
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for p in paths:
            q |= subtree_q(p, path_field)
        return q

    def ancestor_paths(self, perm: Perm = Perm.ORG_VIEW) -> set[str]:
        """Paths of every unit above the actor's scope roots: visible as navigation only."""
        result: set[str] = set()
        for root in self.scope_paths(perm):
            parts = [p for p in root.split("/") if p]
            for i in range(1, len(parts)):
                result.add("/" + "/".join(parts[:i]) + "/")
        return result

    def needs_two_factor(self) -> bool:
        return any(g.unit_kind in TWO_FACTOR_UNIT_KINDS for g in self.grants)


ANONYMOUS = Actor(user_id=None, username="anonymous")
# The operator at the machine (CLI, demo generator, migrations): a system administrator over all.
SYSTEM = Actor(
    user_id=None,
    username="system",
    grants=(Grant(role=Role.SYSADMIN, unit_id=0, unit_path="/", unit_kind="nation"),),
    source="cli",
)


def role_label(role: str, language: str = "th") -> str:
    th, en = ROLE_LABELS[Role(role)]
    return th if language.startswith("th") else en


def roles_with(perm: Perm) -> Iterable[Role]:
    return [r for r, perms in ROLE_PERMS.items() if perm in perms]
