"""What every portal form does with what it posts and what comes back: the posted fields
loaded with a contract schema, a refusal told as flashed messages in the customer's words
(one per field, labelled as on the page), a change's success flashed, and the page a mailed
link opens."""
from flask import flash, render_template, request, url_for
from marshmallow import ValidationError

from services.contracts.errors import DomainError, InvalidInput, Throttled


def posted(secrets=()):
    """The posted fields but the CSRF token, stripped of spaces (``secrets`` are kept as
    typed: a password may begin or end with one)."""
    return {k: v if k in secrets else v.strip() for k, v in request.form.items()
            if k != "csrf_token"}


def load(schema_cls, form):
    """``(data, {})`` from the form's non-empty fields that ``schema_cls`` knows, or
    ``(None, {field: [message]})``."""
    schema = schema_cls()
    try:
        return schema.load({k: v for k, v in form.items() if v != "" and k in schema.fields}), {}
    except ValidationError as exc:
        return None, exc.messages


def field_messages(errors):
    """``{field: [message]}``; a nested field's (an address's lines) under their own names."""
    flat = {}
    for field, messages in errors.items():
        if isinstance(messages, dict):
            flat.update(field_messages(messages))
        else:
            flat[field] = messages if isinstance(messages, list) else [str(messages)]
    return flat


def wait_text(throttled):
    return f"{throttled.detail} You can try again in {throttled.retry_after} seconds."


def flash_refusal(exc, labels, say_wait=True):
    """One message per field of an InvalidInput (labelled from ``labels``), else the
    refusal's own words, with how long to wait when throttled and ``say_wait``."""
    if isinstance(exc, InvalidInput):
        for field, messages in field_messages(exc.errors).items():
            for message in messages:
                flash(f"{labels.get(field, field)}: {message}", "error")
    elif isinstance(exc, Throttled) and say_wait:
        flash(wait_text(exc), "error")
    else:
        flash(exc.detail, "error")


def submit(change, done, refused):
    """``change()``; its refusal goes to ``refused(exc)``, else ``done`` (a text, or a
    function of the result giving one) is flashed. Returns the result, None when refused."""
    try:
        result = change()
    except DomainError as exc:
        refused(exc)
        return None
    flash(done(result) if callable(done) else done, "success")
    return result


def confirm_link(confirm, done, **asked):
    """The page a mailed link opens: a button (a GET never spends the token, so a mail
    scanner following links changes nothing). The POST spends it with ``confirm(token)``:
    refused, its words and the button again; else ``done(result)``, the page's
    ``{message, title?}``. ``asked``: the button page's title, text and button."""
    token = request.values.get("token", "")
    if request.method == "POST":
        try:
            found = confirm(token)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            return render_template("confirm_link.html", done=True, **done(found))
    return render_template("confirm_link.html", token=token, action=url_for(request.endpoint),
                           **asked)
