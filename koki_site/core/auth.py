"""Who may see a staff page: logged-in staff, and for most pages one of a few roles."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koki_site.extensions import login_manager

# The roles, in the order accounts store and pages show them, and what each opens.
ROLES = {
    "support": _l("Support (contact messages)"),
    "marketing": _l("Marketing (newsletter)"),
    "dpo": _l("Data protection officer (rights, audit log, retention)"),
    "admin": _l("Administrator (staff accounts)"),
}


def role_required(*roles):
    """Staff only; with roles, staff holding one of them. Not logged in: the login page; else 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not set(roles) & set(current_user.roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
