"""Who may see a staff page: logged-in staff, and for most pages one of a few roles."""

from functools import wraps

from flask import abort
from flask_login import current_user

from koki_site.extensions import login_manager

ROLES = ("support", "marketing", "dpo", "admin")


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
