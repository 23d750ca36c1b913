"""The settings reference of docs/operations.md, written from the services' settings classes."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Annotated

import typer
from pydantic.fields import FieldInfo

from supportmatch_core.paths import project_root
from supportmatch_core.setting_sources import env_name, is_secret
from supportmatch_core.settings import ServiceSettings

BEGIN = "<!-- settings reference: begin (supportmatch settings-reference --write) -->"
END = "<!-- settings reference: end -->"


def settings_classes() -> list[type[ServiceSettings]]:
    """Each service's settings class, found as services/<name>/src/<package>/settings.py."""
    found = []
    for path in sorted(project_root().glob("services/*/src/*/settings.py")):
        module = importlib.import_module(f"{path.parent.name}.settings")
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, ServiceSettings) and cls.__module__ == module.__name__
        ]
    return found


def _description(
    cls: type[ServiceSettings], name: str, field: FieldInfo, variable: str | None = None
) -> str:
    # A subclass that only changes a default keeps the shared field's meaning.
    shared = ServiceSettings.model_fields.get(name)
    text = field.description or (shared.description if shared else None)
    if not text:
        raise ValueError(f"{cls.__name__}.{name} has no docstring: say what the setting is for")
    meaning = " ".join(text.split()).replace("|", "\\|")
    if is_secret(field):
        meaning += f" **Secret**: give it as a file with `{variable or env_name(cls, name)}_FILE`."
    return meaning


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if is_secret(field):
        return "(none)"
    return f"`{value}`" if value not in ("", None) else "(empty)"


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    return lines + [f"| `{v}` | {d} | {m} |" for v, d, m in rows] + [""]


def render() -> str:
    """The settings every service shares, those each service has under its own prefix, and
    those of one service only; each with its default and meaning, secrets marked."""
    classes = settings_classes()
    shared = ServiceSettings.model_fields
    common = [n for n, f in shared.items() if f.validation_alias is not None]
    prefixed = [n for n, f in shared.items() if f.validation_alias is None]
    example = classes[0]
    parts = [BEGIN, "", "#### Every service, the same variable", ""]
    parts += _table(
        [
            (env_name(example, n), _default(shared[n]), _description(example, n, shared[n]))
            for n in common
        ]
    )
    parts += ["#### Every service, under its prefix", ""]
    prefixes = ", ".join(f"`{c.model_config.get('env_prefix')}` ({_service(c)})" for c in classes)
    parts += [f"`<SERVICE>_` is one of {prefixes}.", ""]
    rows = []
    for name in prefixed:
        variable = f"<SERVICE>_{name.upper()}"
        defaults = {_default(c.model_fields[name]) for c in classes}
        default = (
            defaults.pop()
            if len(defaults) == 1
            else ", ".join(f"{_default(c.model_fields[name])} ({_service(c)})" for c in classes)
        )
        rows.append((variable, default, _description(example, name, shared[name], variable)))
    parts += _table(rows)
    for cls in classes:
        own = [n for n in cls.model_fields if n not in shared]
        if own:
            parts += [f"#### {_service(cls)} only", ""]
            parts += _table(
                [
                    (
                        env_name(cls, n),
                        _default(cls.model_fields[n]),
                        _description(cls, n, cls.model_fields[n]),
                    )
                    for n in own
                ]
            )
    parts.append(END)
    return "\n".join(parts)


def _service(cls: type[ServiceSettings]) -> str:
    return str(cls.model_fields["service_name"].default)


def written_into(document: str) -> str:
    """`document` with its reference section replaced by the current one."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + render() + document[end:]


def settings_reference(
    write: Annotated[bool, typer.Option(help="update docs/operations.md in place")] = False,
) -> None:
    """Print the settings reference of every service (or write it into docs/operations.md)."""
    if not write:
        typer.echo(render())
        return
    path = Path(project_root() / "docs" / "operations.md")
    path.write_text(written_into(path.read_text(encoding="utf-8")), encoding="utf-8")
    typer.echo(f"updated {path}")
