"""Email templates: ``templates/<name>.txt`` (its first statement sets ``subject``) and, when
there is one, ``templates/<name>.html`` for the HTML part. Jinja, autoescaped in HTML only
(the text part is plain text already). The subject often holds a name a customer typed: it is
made one header line here, so no value can add a header or make a mail unsendable."""
import unicodedata
from functools import lru_cache

from jinja2 import (Environment, PackageLoader, StrictUndefined, TemplateNotFound,
                    select_autoescape)

from services.contracts import support


@lru_cache(maxsize=1)
def environment():
    env = Environment(loader=PackageLoader("services.notifications", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    env.globals["support"] = support.CONTACT  # {{ support.phone }}: the portal's details
    return env


def names():
    """The templates one may send (those with a text part)."""
    return sorted(n[:-4] for n in environment().list_templates(extensions=["txt"]))


def render(name, context):
    """Returns ``(subject, text, html or None)`` for template ``name``."""
    env = environment()
    text_template = env.get_template(f"{name}.txt")
    subject = text_template.make_module(context).subject
    text = text_template.render(context)
    try:
        html = env.get_template(f"{name}.html").render(dict(context, subject=subject))
    except TemplateNotFound:
        html = None
    return header_text(subject), text, html


SUBJECT_CHARS = 200


def header_text(value, limit=SUBJECT_CHARS):
    """One line of header text: line breaks, tabs and other control or format characters
    become single spaces; cut to ``limit`` characters."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in str(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."
