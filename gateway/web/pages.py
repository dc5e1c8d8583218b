"""Portal pages. Sign-in and the other auth pages are in auth_pages.py."""
from flask import redirect, url_for

from gateway.web import bp


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("web.static", filename="favicon.svg"), code=301)
