"""What makes the OpenAPI documents fit to generate clients from, whatever the views say.

* ``servers``: the portal's public address, so a generated client knows where it talks to.
* Optional nested objects: apispec writes a nullable ``Nested`` in OpenAPI 3.0 as
  ``anyOf: [{type: object, nullable: true}, {$ref}]``: "the model, or any object at all",
  which generators type loosely. Here the other branch admits null only (``enum: [null]``,
  OpenAPI 3.0.3's way to say "null"): "the model, or null" (``nullable_ref``). Not
  ``allOf: [{$ref}], nullable: true``: Redocly refuses ``nullable`` without a ``type``
  beside it, and with ``type: object`` beside it openapi-python-client drops the null.
  (OpenAPI 3.1's ``{type: "null"}`` would do, but the /docs page's Swagger UI 4 reads 3.0.)
* No unused components (flask-smorest registers a pagination schema and answers we replace
  with problem documents): ``prune`` drops what nothing refers to.
"""
import json

REF = "#/components/"


def servers(public_url):
    return [{"url": public_url.rstrip("/"), "description": "This portal"}]


NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}


def nullable_ref(self, field, ret, **kwargs):
    """An apispec attribute function (runs after its own ``field2nullable``)."""
    alternatives = ret.get("anyOf")
    if (isinstance(alternatives, list) and len(alternatives) == 2
            and {"type": "object", "nullable": True} in alternatives):
        ret["anyOf"] = [next(a for a in alternatives if "$ref" in a), NULL_ONLY]
    return {}


def _refs(value):
    text = json.dumps(value)
    found, start = set(), 0
    while (start := text.find(f'"{REF}', start)) != -1:
        end = text.index('"', start + 1)
        found.add(text[start + 1 + len(REF):end])
        start = end
    return found


def prune(spec):
    """Drops the components of ``spec`` (an apispec APISpec) nothing in it refers to."""
    components = spec.components
    sections = {"schemas": components.schemas, "responses": components.responses,
                "parameters": components.parameters, "headers": components.headers}
    document = spec.to_dict()
    used = _refs(document.get("paths", {}))
    pending = set(used)
    while pending:  # components referring to others
        section, _, name = pending.pop().partition("/")
        found = _refs(document.get("components", {}).get(section, {}).get(name, {})) - used
        used |= found
        pending |= found
    for section, entries in sections.items():
        for name in list(entries):
            if f"{section}/{name}" not in used:
                del entries[name]
