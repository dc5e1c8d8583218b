"""Email templates: ``templates/<name>.txt`` (its first statement sets ``subject``) and, when
there is one, ``templates/<name>.html`` for the HTML part. Jinja, autoescaped in HTML only."""
from functools import lru_cache

from jinja2 import (Environment, PackageLoader, StrictUndefined, TemplateNotFound,
                    select_autoescape)


@lru_cache(maxsize=1)
def environment():
    return Environment(loader=PackageLoader("services.notifications", "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       keep_trailing_newline=True)


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
    return subject.strip(), text, html
