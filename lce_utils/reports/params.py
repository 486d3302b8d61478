"""Report parameters: names checked to be plain identifiers, values kept to data (never code)."""

from __future__ import annotations

import ast
import json
import keyword
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lce_utils.errors import ParameterError

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^@/\s]+@")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_name(name: Any, where: str) -> str:
    """A parameter name as papermill writes it into code: a plain identifier, not a keyword, no dunder."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or keyword.iskeyword(name) or not name.isidentifier():
        raise ParameterError(f"{where}: parameter name {name!r} is not a plain identifier "
                             "(letters, digits and _; starting with a letter)")
    return name


def check_value(value: Any, where: str) -> Any:
    """A parameter value: str, int, float, bool, None, or lists/mappings of those (data, never code)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list):
        return [check_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParameterError(f"{where}: mapping key {key!r} must be text")
            out[key] = check_value(item, f"{where}.{key}")
        return out
    raise ParameterError(f"{where}: value {value!r} of type {type(value).__name__} is not allowed "
                         "(text, number, true/false, null, or lists and mappings of those)")


def check_parameters(params: Any, where: str) -> dict[str, Any]:
    """Every name and value of a parameter mapping checked; raises ParameterError naming the report."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ParameterError(f"{where}: 'parameters' must be a mapping of name: value")
    return {check_name(name, where): check_value(value, f"{where}: parameter {name!r}")
            for name, value in params.items()}


def substitute(value: Any, variables: Mapping[str, str], where: str) -> Any:
    """Fill {name} placeholders in text values (only plain names; no attribute or index access)."""
    if isinstance(value, str):
        def repl(match: re.Match[str]) -> str:
            """The value of one placeholder."""
            if match.group(1) not in variables:
                raise ParameterError(f"{where}: unknown placeholder {{{match.group(1)}}} in {value!r} "
                                     f"(known: {', '.join(sorted(variables))})")
            return str(variables[match.group(1)])
        return _PLACEHOLDER.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, variables, where) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables, where) for k, v in value.items()}
    return value


def public_value(value: Any) -> str:
    """How a parameter value is shown on a published page: no local root, no password in a URL."""
    if isinstance(value, str):
        text = value.replace("{root}/", "").replace("{root}", ".")
        return _URL_PASSWORD.sub(r"\1***@", text)
    if isinstance(value, list):
        return ", ".join(public_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={public_value(v)}" for k, v in value.items())
    if value is None:
        return "–"
    return str(value)


def declared_parameters(template: Path) -> dict[str, Any]:
    """The names the template's `parameters` cell assigns (with their default source text)."""
    try:
        nb = json.loads(Path(template).read_text(encoding="utf-8"))  # plain JSON: nbformat is slow to import
        cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    except (OSError, ValueError, AttributeError) as exc:
        raise ParameterError(f"{template.name}: not a readable notebook: {exc}") from exc
    if len(cells) != 1:
        raise ParameterError(f"{template.name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    source = cells[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{template.name}: the parameters cell is not valid Python: {exc.msg}") from exc
    names: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = ast.unparse(node.value) if node.value is not None else None
    return names


def verify_injected_source(source: str, params: Mapping[str, Any]) -> None:
    """Check papermill's injected cell is only `name = literal` lines equal to params (nothing executable)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"the injected parameters do not parse: {exc.msg}") from exc
    seen = set()
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ParameterError(f"the injected parameters hold a statement that is not `name = value`: "
                                 f"{ast.unparse(node)[:80]!r}")
        name = node.targets[0].id
        try:
            value = ast.literal_eval(node.value)
        except ValueError as exc:
            raise ParameterError(f"parameter {name!r}: the injected value is not a plain literal") from exc
        if name not in params or not _same(value, params[name]):
            raise ParameterError(f"parameter {name!r}: the injected value differs from the configured one")
        seen.add(name)
    if seen != set(params):
        raise ParameterError(f"parameters not injected: {sorted(set(params) - seen)}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b if not isinstance(a, (list, dict)) else a == b
