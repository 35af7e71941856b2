"""Decap CMS's ``config.yml``, generated from the content formats (``schema.Field``s), so
the editor's forms ask for exactly what ``check`` accepts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from netroots import schema
from netroots.forge import Forge

BUILD_FIELDS = {"modified"}  # set by the build or by hand, not in the writer's form
LONG_TEXT = {"bio", "summary", "ask", "script", "notes", "description", "body", "text", "address"}
DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False}
DATETIME = {"widget": "datetime", "format": "YYYY-MM-DD HH:mm", "date_format": "YYYY-MM-DD", "time_format": "HH:mm"}
# netroots.identity.HANDLE, in JavaScript: words of a-z0-9 joined by single hyphens, 39 at most.
HANDLE_PATTERN = [
    "^(?=.{1,39}$)[a-z0-9]+(?:-[a-z0-9]+)*$",
    "lowercase letters and digits, words joined by single hyphens, e.g. maria-lopez",
]
SLUG_PATTERN = ["^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", "lowercase letters, digits and hyphens"]


def widget(convert: Any, name: str) -> dict[str, Any]:
    """The Decap widget for a field's converter."""
    if getattr(convert, "options", None):
        return {"widget": "select", "options": list(convert.options)}
    if getattr(convert, "fields", None):
        return {"widget": "object", "fields": fields(convert.fields)}
    if hasattr(convert, "item"):
        item = convert.item
        if getattr(item, "fields", None):
            return {"widget": "list", "fields": fields(item.fields)}
        return {"widget": "list"}
    if convert is schema.string_list:
        return {"widget": "list"}
    if convert is schema.boolean:
        return {"widget": "boolean"}
    if convert is schema.date:
        return dict(DATE)
    if convert is schema.datetime:
        return dict(DATETIME)
    if getattr(convert, "__qualname__", "").startswith("integer."):
        return {"widget": "number", "value_type": "int"}
    if convert is schema.handle:
        return {"widget": "string", "pattern": HANDLE_PATTERN}
    if convert is schema.slug:
        return {"widget": "string", "pattern": SLUG_PATTERN}
    return {"widget": "text" if name in LONG_TEXT else "string"}


def fields(declared: Sequence[schema.Field], required: Iterable[str] = ()) -> list[dict[str, Any]]:
    must = set(required)
    found = []
    for spec in declared:
        shape = widget(spec.convert, spec.name)
        if shape["widget"] in ("string", "text") and spec.default is list:  # a list with a converter of its own
            shape = {"widget": "list"}
        entry = {
            "name": spec.name,
            "label": spec.name.replace("_", " ").capitalize(),
            **shape,
        }
        entry["required"] = spec.required or spec.name in must
        if isinstance(spec.default, (str, bool, int)) and spec.default not in ("", None):
            entry["default"] = spec.default
        if spec.help:
            entry["hint"] = spec.help.replace("`", "")
        found.append(entry)
    return found


def collection(kind: schema.ContentType, content: str) -> dict[str, Any]:
    """One Decap folder collection; members' kinds go in the writer's own folder."""
    declared = list(kind.fields)
    entry: dict[str, Any] = {
        "name": kind.name,
        "label": kind.label,
        "label_singular": kind.singular or kind.label,
        "folder": f"{content}/{kind.folder}",
        "create": True,
        "extension": kind.extension,
        "format": "yaml-frontmatter" if kind.extension == "md" else "yaml",
        "slug": "{{slug}}",
        "identifier_field": "title" if any(f.name == "title" for f in declared) else "name",
    }
    if kind.writers == "members" and kind.extension == "md":
        # The author's handle first: the file goes in content/<folder>/<handle>/, where check expects it.
        author = next((f for f in declared if f.name == "author"), schema.Field("author", schema.handle))
        declared = [author, *(f for f in declared if f.name != "author")]
        # `{{author}}`, not `{{fields.author}}`: Decap lowercases the path template and turns its dots into hyphens.
        entry["path"] = "{{author}}/{{year}}-{{month}}-{{day}}-{{slug}}"
        entry["media_folder"] = "images"
        entry["public_folder"] = "images"
        entry["fields"] = fields([f for f in declared if f.name not in BUILD_FIELDS], required=["author"])
        entry["fields"][0].update(
            label="Your handle", hint="your diaries are saved in your own folder, content/diaries/<your handle>/"
        )
        entry["fields"][0].pop("default", None)
        status = next((f for f in entry["fields"] if f["name"] == "status"), None)
        if status is not None:
            status["default"] = "draft"
    else:
        entry["fields"] = fields(declared)
        if kind.writers == "members":  # a profile: its file name is the handle; members join with a link
            entry["create"] = False
    if kind.body:
        entry["fields"].append({"name": "body", "label": kind.body, "widget": "markdown"})
    return entry


def backend(forge: Forge | None, auth: Mapping[str, Any]) -> dict[str, Any]:
    if forge is None:  # local use only: decap-server answers instead
        return {"name": "github", "repo": "local/netroots", "branch": "main"}
    found: dict[str, Any] = {"repo": forge.repository, "branch": forge.branch}
    if forge.kind == "github":
        found.update(name="github", open_authoring=True)  # members without write access propose from a fork
        if forge.base.rstrip("/") != "https://github.com":
            found["api_root"] = f"{forge.base.rstrip('/')}/api/v3"
    elif forge.kind == "gitlab":
        found["name"] = "gitlab"
        if forge.base.rstrip("/") != "https://gitlab.com":
            found.update(api_root=f"{forge.base.rstrip('/')}/api/v4", base_url=forge.base.rstrip("/"))
    else:  # gitea, forgejo
        found.update(name="gitea", api_root=f"{forge.base.rstrip('/')}/api/v1", base_url=forge.base.rstrip("/"))
    found.update({k: v for k, v in auth.items() if v not in (None, "")})
    return found


def local_backend_url(value: Any) -> str | None:
    if value is True:
        return "http://localhost:8081/api/v1"
    return str(value) if value else None


def decap_config(
    forge: Forge | None, options: Mapping[str, Any], kinds: Sequence[schema.ContentType], content: str, site_url: str
) -> dict[str, Any]:
    """The whole ``config.yml``."""
    config: dict[str, Any] = {"backend": backend(forge, options.get("auth") or {})}
    if options.get("publish_mode"):
        config["publish_mode"] = options["publish_mode"]
    local = local_backend_url(options.get("local_backend"))
    if local:
        config["local_backend"] = {"url": local, "allowed_hosts": ["localhost", "127.0.0.1"]}
    config.update(media_folder=f"{content}/images", public_folder="/images")
    # File names as check wants them: lowercase ASCII letters, digits and hyphens (São -> sao).
    config["slug"] = {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
    if site_url.startswith("http"):
        config.update(site_url=site_url, display_url=site_url)
    members = [k for k in kinds if k.writers == "members"]
    config["collections"] = [collection(k, content) for k in [*members, *(k for k in kinds if k.writers != "members")]]
    return config


def connect_sources(forge: Forge | None, options: Mapping[str, Any]) -> list[str]:
    """The origins the editor talks to, for its own Content-Security-Policy."""
    found = ["'self'"]
    if forge is not None:
        if forge.kind == "github" and forge.base.rstrip("/") == "https://github.com":
            found += ["https://api.github.com", "https://raw.githubusercontent.com"]
        else:
            found.append(_origin(forge.base))
    for key in ("base_url",):
        value = (options.get("auth") or {}).get(key)
        if value:
            found.append(_origin(str(value)))
    local = local_backend_url(options.get("local_backend"))
    if local:
        found.append(_origin(local))
        if "//localhost" in local:
            found.append(_origin(local.replace("//localhost", "//127.0.0.1")))
    return list(dict.fromkeys(found))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
