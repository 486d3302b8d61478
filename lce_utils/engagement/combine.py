"""Several files as one export (monthly files, a glob such as 'exports/2024-*.csv'): each file is read and
validated on its own (its own types, its own cache entry), then the accepted rows are put together."""

from __future__ import annotations

import glob
import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import duckdb

from lce_utils.errors import DataError
from lce_utils.messages import both

PATTERN_CHARS = set("*?[")


# One export, or several files (or glob patterns) read as one export.
Inputs: TypeAlias = "str | Path | Sequence[str | Path]"


def expand_inputs(data: Inputs) -> list[Path]:
    """The files of --data: a path, a glob pattern, or a list of either; sorted, each once."""
    items = data if isinstance(data, list | tuple) else [data]
    files: list[Path] = []
    for item in items:
        text = str(item)
        if PATTERN_CHARS & set(text) and not Path(text).is_file():
            found = sorted(glob.glob(text))
            if not found:
                raise DataError(both("labs_err_no_match", pattern=text))
            files.extend(Path(f) for f in found if Path(f).is_file())
        else:
            files.append(Path(text))
    return list(dict.fromkeys(files))


def describe(data: Inputs) -> str:
    """How error messages and summaries name the input: the file name, or 'N files (first … last)'."""
    files = expand_inputs(data)
    if len(files) == 1:
        return files[0].name
    return f"{len(files)} files ({files[0].name} … {files[-1].name})"


def prepare_many(files: list[Path], events: str | Path | None, mapping: Any, *, cache_dir: str | Path | None,
                 max_reject_share: float) -> Any:
    """One Prepared over several files: every file prepared (cached) alone, then their rows put together."""
    from lce_utils.engagement.load import _cache_root, _check_reject_share, cached, prepare
    parts = [prepare(f, events, mapping, cache_dir=cache_dir, max_reject_share=1.0) for f in files]
    first = parts[0].meta
    for path, part in zip(files[1:], parts[1:]):
        if part.meta["columns"].keys() != first["columns"].keys():
            raise DataError(both("labs_err_other_columns", file=path.name, columns=sorted(part.meta["columns"]),
                                 first=files[0].name, first_columns=sorted(first["columns"])))
    key = hashlib.sha256("|".join(p.meta["cache_key"] for p in parts).encode()).hexdigest()[:24]
    root = Path(cache_dir) if cache_dir is not None else _cache_root()
    prepared = cached(root / f"combined-{key}", lambda work: _combine(files, parts, work, key))
    _check_reject_share(prepared, describe(files), max_reject_share)
    return prepared


def _combine(files: list[Path], parts: list[Any], work: Path, key: str) -> None:
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        sources = ", ".join(f"'{str(p.visits_path).replace(chr(39), chr(39) * 2)}'" for p in parts)
        con.execute(f"COPY (SELECT * FROM read_parquet([{sources}], union_by_name = true)) "
                    f"TO '{str(work / 'visits.parquet').replace(chr(39), chr(39) * 2)}' (FORMAT parquet, "
                    "COMPRESSION zstd)")
    finally:
        con.close()
    if parts[0].events_path:
        shutil.copyfile(parts[0].events_path, work / "events.parquet")
    with open(work / "rejects.csv", "w", encoding="utf-8", newline="") as out:
        out.write("file,row,column,reason,value\n")
        for path, part in zip(files, parts):
            lines = part.rejects_path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
            name = path.name.replace('"', '""')
            out.writelines(f'"{name}",{line}' for line in lines)
    metas = [p.meta for p in parts]
    meta = dict(metas[0])
    starts = [m["period_start"] for m in metas if m["period_start"]]
    ends = [m["period_end"] for m in metas if m["period_end"]]
    excluded: dict[str, int] = {}
    for m in metas:
        for reason, n in m.get("rows_excluded", {}).items():
            excluded[reason] = excluded.get(reason, 0) + n
    meta.update(
        rows_read=sum(m["rows_read"] for m in metas), rows_rejected=sum(m["rows_rejected"] for m in metas),
        period_start=min(starts) if starts else None, period_end=max(ends) if ends else None,
        dropped_columns=sorted({c for m in metas for c in m["dropped_columns"]}),
        dropped_reasons={c: r for m in metas for c, r in m["dropped_reasons"].items()},
        rows_excluded=excluded,
        duplicate_rows={"rows": sum(m.get("duplicate_rows", {}).get("rows", 0) for m in metas),
                        "by_file": {f.name: m.get("duplicate_rows", {}).get("rows", 0) for f, m in zip(files, metas)}},
        content_hash=hashlib.sha256("|".join(m["content_hash"] for m in metas).encode()).hexdigest(),
        inputs=[{"file": f.name, "sha256": m["content_hash"], "rows_read": m["rows_read"],
                 "rows_rejected": m["rows_rejected"]} for f, m in zip(files, metas)],
        cache_key=f"combined-{key}",
    )
    meta["has"] = {name: any(m["has"].get(name) for m in metas) for name in metas[0]["has"]}
    (work / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
