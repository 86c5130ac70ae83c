"""Who may use which endpoint: the test suite's own copy of the access rules.

The matrix test (test_matrix.py) checks every endpoint in ``app.url_map``
against this table, so a new view needs an entry here as well as its
``@allow`` declaration, and a change to who may use a page is a visible,
reviewed change in two places. Features append their rows.
"""

from __future__ import annotations

from trajectory.auth.roles import Role

PUBLIC = "public"
ANY_USER = "any_user"
ALL_ROLES = frozenset(Role)

# endpoint -> PUBLIC, ANY_USER or the roles allowed
POLICY: dict[str, object] = {
    "static": PUBLIC,
    "main.healthz": PUBLIC,
    "main.readyz": PUBLIC,
    "main.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "main.home": ANY_USER,
    "auth.logout": ANY_USER,
    "auth.logout_everywhere": ANY_USER,
    "auth.change_password": ANY_USER,
    "admin.users": {Role.BEHEERDER},
    "admin.new_user": {Role.BEHEERDER},
    "admin.user_detail": {Role.BEHEERDER},
    "admin.edit_user": {Role.BEHEERDER},
    "admin.toggle_user": {Role.BEHEERDER},
    "admin.reset_password": {Role.BEHEERDER},
    "admin.organisations": {Role.BEHEERDER},
    "admin.new_organisation": {Role.BEHEERDER},
    "admin.edit_organisation": {Role.BEHEERDER},
    "admin.toggle_organisation": {Role.BEHEERDER},
}

# One demo account per role (see trajectory/demo/data.py).
ROLE_USERS: dict[Role, str] = {
    Role.BEHEERDER: "beheer",
    Role.SROI_ADVISEUR: "adviseur",
    Role.COORDINATOR: "coordinator",
    Role.KLANTMANAGER: "klantmanager",
    Role.INTAKER: "intaker",
    Role.BUDDY: "buddy",
}
