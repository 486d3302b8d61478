"""knowledge/reports.yaml: which reports exist, their templates, parameter sets and inputs."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lce_utils.errors import DataError
from lce_utils.reports import params as P

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


@dataclass
class InputSpec:
    """One thing a report reads: a file/folder/glob under the data root, or a database URL."""

    kind: str            # "path" or "database"
    value: str           # root-relative path or glob, or a URL (placeholders filled)
    required: bool = True
    configured: str = ""  # as written, {root} left in (what a reader is shown)

    def label(self) -> str:
        """The input as shown to a reader (no local root, no password)."""
        return P.public_value(self.configured or self.value)


@dataclass
class ReportSpec:
    """One report to build: a template run with one parameter set."""

    id: str
    title: dict[str, str]
    template: Path
    parameters: dict[str, Any]          # as configured ({root} placeholders still in)
    resolved: dict[str, Any]            # what the notebook receives
    inputs: list[InputSpec] = field(default_factory=list)
    description: dict[str, str] = field(default_factory=dict)
    timeout: int = 120
    problem: str | None = None          # set when the spec cannot be built at all (e.g. no lab run)
    data: str = "real"                  # "demo": built from fictitious inputs, and every page says so

    def public_parameters(self) -> list[tuple[str, str]]:
        """Parameter names and values safe to publish."""
        return [(name, P.public_value(value)) for name, value in self.parameters.items()]


def _bilingual(value: Any, where: str, name: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"sv": value, "en": value}
    if not isinstance(value, dict) or not {"sv", "en"} <= set(value) or not all(
            isinstance(value[k], str) and value[k].strip() for k in ("sv", "en")):
        raise DataError(f"{where}: '{name}' needs Swedish and English text ({name}: {{sv: ..., en: ...}})")
    return {"sv": value["sv"], "en": value["en"]}


def _inputs(raw: Any, variables: dict[str, str], where: str) -> list[InputSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DataError(f"{where}: 'inputs' must be a list of {{path: ...}} or {{database: ...}}")
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"path": item}
        kinds = [k for k in ("path", "database") if k in (item or {})]
        if not isinstance(item, dict) or len(kinds) != 1:
            raise DataError(f"{where}: inputs[{i}] must have exactly one of 'path' or 'database'")
        value = P.substitute(str(item[kinds[0]]), variables, f"{where}: inputs[{i}]")
        shown = P.substitute(str(item[kinds[0]]), {**variables, "root": "{root}"}, f"{where}: inputs[{i}]")
        out.append(InputSpec(kinds[0], value, bool(item.get("required", True)), shown))
    return out


def load_config(path: Path, root: Path) -> list[ReportSpec]:
    """Read reports.yaml into report specs (parameter sets and for_each expanded); errors name the entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: report configuration not found") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("reports"), list):
        raise DataError(f"{path}: expected a top-level 'reports:' list")
    defaults = raw.get("defaults") or {}
    default_data = _data_kind(raw.get("data", "real"), f"{path.name}: data")
    specs: list[ReportSpec] = []
    for n, entry in enumerate(raw["reports"], start=1):
        where = f"{path.name}: report {n}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: expected a mapping with id, title, template")
        rid = entry.get("id")
        if not isinstance(rid, str) or not _ID.fullmatch(rid):
            raise DataError(f"{where}: 'id' {rid!r} must be lower-case letters, digits and dashes")
        where = f"{path.name}: report {rid!r}"
        unknown = set(entry) - {"id", "title", "description", "template", "parameters", "inputs",
                                "parameter_sets", "for_each", "timeout", "data"}
        if unknown:
            raise DataError(f"{where}: unknown keys {sorted(unknown)}")
        title = _bilingual(entry.get("title"), where, "title")
        description = _bilingual(entry["description"], where, "description") if "description" in entry else {}
        template = (path.parent / "templates" / str(entry.get("template", ""))).resolve()
        if not entry.get("template") or not template.is_file():
            raise DataError(f"{where}: template {entry.get('template')!r} not found under "
                            f"{path.parent.name}/templates/")
        base_params = P.check_parameters({**(defaults.get("parameters") or {}), **(entry.get("parameters") or {})},
                                         where)
        timeout = int(entry.get("timeout", defaults.get("timeout", 120)))
        data_kind = _data_kind(entry.get("data", default_data), f"{where}: data")
        for suffix, set_title, set_params, extra, problem in _parameter_sets(entry, root, where):
            sid = f"{rid}-{suffix}" if suffix else rid
            if not _ID.fullmatch(sid):
                raise DataError(f"{where}: report id {sid!r} must be lower-case letters, digits and dashes")
            configured = {**base_params, **P.check_parameters(set_params, f"{where} ({sid})")}
            variables = {k: str(v) for k, v in configured.items() if isinstance(v, (str, int, float))}
            variables.update(extra, root="{root}")
            configured = P.substitute(configured, variables, where)
            resolved = P.substitute(configured, {"root": str(root)}, where)
            inputs = _inputs(entry.get("inputs"), {**variables, "root": str(root)}, where)
            full_title = {lang: f"{title[lang]}: {set_title[lang]}" if set_title else title[lang]
                          for lang in ("sv", "en")}
            specs.append(ReportSpec(sid, full_title, template, configured, resolved, inputs, description,
                                    timeout, problem, data_kind))
    ids = [s.id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DataError(f"{path.name}: report ids used twice: {dupes}")
    return specs


def read_contact(path: Path) -> str:
    """The feedback address every page shows (`contact:` in the manifest; example.org when not set)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        raw = {}
    contact = raw.get("contact") if isinstance(raw, dict) else None
    if contact is None:
        return "lce@example.org"
    if not isinstance(contact, str) or not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[a-z]{2,}", contact):
        raise DataError(f"{path.name}: contact {contact!r} must be an e-mail address")
    return contact


def _data_kind(value: Any, where: str) -> str:
    if value not in ("demo", "real"):
        raise DataError(f"{where}: expected demo or real, got {value!r}")
    return str(value)


def _run_title(folder: Path) -> dict[str, str]:
    """A lab run's title for readers: the institution its run.json names, else the folder's name."""
    try:
        import json
        institution = json.loads((folder / "run.json").read_text(encoding="utf-8")).get("institution")
    except (OSError, ValueError, AttributeError):
        institution = None
    name = str(institution).strip() if institution and str(institution).strip() else folder.name
    return {"sv": name, "en": name}


def _parameter_sets(entry: dict, root: Path, where: str):
    """(id suffix, title, parameters, placeholders, problem) for each parameter set of an entry."""
    if "parameter_sets" in entry and "for_each" in entry:
        raise DataError(f"{where}: use either parameter_sets or for_each, not both")
    if "parameter_sets" in entry:
        sets = entry["parameter_sets"]
        if not isinstance(sets, list) or not sets:
            raise DataError(f"{where}: 'parameter_sets' must be a non-empty list")
        for i, item in enumerate(sets):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise DataError(f"{where}: parameter_sets[{i}] needs an 'id'")
            set_title = _bilingual(item["title"], where, "title") if "title" in item else None
            yield item["id"], set_title, item.get("parameters") or {}, {}, None
        return
    if "for_each" in entry:
        spec = entry["for_each"]
        if not isinstance(spec, dict) or not isinstance(spec.get("glob"), str) or not isinstance(spec.get("name"), str):
            raise DataError(f"{where}: for_each needs 'glob' (under the data root) and 'name' (a placeholder)")
        name = P.check_name(spec["name"], where)
        pattern = spec["glob"]
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise DataError(f"{where}: for_each glob {pattern!r} must be relative to the data root")
        matches = sorted(glob.glob(str(root / pattern)))
        folders = sorted({Path(m).parent for m in matches})
        if not folders:
            yield None, None, {}, {name: ""}, f"no input matches {pattern}"
            return
        for folder in folders:
            safe = re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-") or "x"
            yield safe, _run_title(folder), {}, {name: folder.name}, None
        return
    yield None, None, {}, {}, None
