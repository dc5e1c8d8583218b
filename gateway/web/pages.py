"""Portal pages. Sign-in arrives with the identity service; this is the shell around it."""
from flask import flash, redirect, render_template, request, url_for

from gateway.web import bp


@bp.route("/", methods=["GET", "POST"])
def sign_in():
    if request.method == "POST":
        flash("Online sign-in is not open yet. Please call business support.", "error")
        return redirect(url_for("web.sign_in"))
    return render_template("sign_in.html")


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("web.static", filename="favicon.svg"), code=301)
