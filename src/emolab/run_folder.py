"""The run folder: the one mechanism by which every command that writes into a folder over
several sessions (classify --run, aeb run, label, reason generate, emobench run, train, probe,
demo) refuses a rerun whose settings would change what the folder holds, and records each
session (its timings and the package versions) in ``manifest.json``.

A command keeps its settings either in ``config.yaml`` (a valid ``--config`` file, written
before the first row so that a killed run still says how it was started) or under a key of
the manifest. ``harmless`` settings decide how far or how fast a run goes, never what a row
says, and may differ between sessions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.provenance import package_versions, utc_now

MANIFEST = "manifest.json"
CONFIG = "config.yaml"


@dataclass(frozen=True)
class RunFolder:
    path: Path
    harmless: frozenset[str] = frozenset()
    packages: tuple[str, ...] = ("emolab",)  # whose versions each session records
    holds: str = "results"  # what the folder holds, for messages: "predictions", "answers"
    retry_hint: str = "use another --out folder"
    settings_key: str | None = None  # the settings live in the manifest under this key ...
    settings_file: str | None = None  # ... or in this YAML file (config.yaml)
    manifest_name: str = MANIFEST  # an --out FILE's manifest is <stem>.manifest.json

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @property
    def manifest_path(self) -> Path:
        return self.path / self.manifest_name

    @property
    def settings_path(self) -> Path | None:
        return self.path / self.settings_file if self.settings_file else None

    # --- reading ---------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """The manifest as it stands ({} before the first session)."""
        path = self.manifest_path
        if not path.is_file():
            return {}
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise EmolabError(f"{path}: unreadable manifest ({err}); fix it or "
                              f"{self.retry_hint}") from None
        if not isinstance(record, dict):
            raise EmolabError(f"{path}: expected a JSON object; fix it or {self.retry_hint}")
        return record

    def saved_settings(self) -> dict[str, Any] | None:
        """The settings an earlier session kept (None when none did)."""
        if self.settings_path is not None:
            from emolab.settings import read_saved

            return read_saved(self.settings_path)
        if self.settings_key is not None:
            return self.manifest().get(self.settings_key) or None
        return None

    # --- the settings check ------------------------------------------------------------------

    def differences(self, settings: Mapping[str, Any], saved: Mapping[str, Any] | None = None,
                    *, ignore: Iterable[str] = ()) -> list[str]:
        """'name: old -> new' for each setting that would change what a row says.

        Harmless and ignored settings may differ; a key one side lacks (another emolab
        version) is skipped; 1 and 1.0 are the same number."""
        if saved is None:
            saved = self.saved_settings() or {}
        skipped = self.harmless | set(ignore)
        found = []
        for name in sorted(set(settings) & set(saved) - skipped):
            old, new = saved[name], settings[name]
            if _same(old, new):
                continue
            found.append(f"{name}: {old!r} -> {new!r}")
        return found

    def refuse_other_settings(self, settings: Mapping[str, Any],
                              saved: Mapping[str, Any] | None = None, *,
                              ignore: Iterable[str] = (), hint: str | None = None) -> None:
        changed = self.differences(settings, saved, ignore=ignore)
        if changed:
            raise EmolabError(f"{self.path} holds {self.holds} made with other settings "
                              f"({'; '.join(changed)}); {hint or self.retry_hint}")

    def keep_settings(self, config: Any) -> None:
        """Write ``config.yaml`` (a ``FromSources`` config) before the first row."""
        assert self.settings_path is not None, "this run folder keeps its settings in the manifest"
        self.path.mkdir(parents=True, exist_ok=True)
        config.write_yaml(self.settings_path)

    # --- writing -----------------------------------------------------------------------------

    def write_manifest(self, record: Mapping[str, Any]) -> Path:
        """Replace the manifest atomically (a crash leaves the old one or the new one)."""
        self.path.mkdir(parents=True, exist_ok=True)
        path = self.manifest_path
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return path

    def record_session(self, session: Mapping[str, Any], **fields: Any) -> Path:
        """Add one session (stamped ``finished_utc``) and update ``fields`` and the versions."""
        record = self.manifest()
        record.update(fields)
        record["versions"] = package_versions(*self.packages)
        record.setdefault("sessions", []).append({**session, "finished_utc": utc_now()})
        return self.write_manifest(record)


def _same(old: Any, new: Any) -> bool:
    numbers = (int, float)
    if (isinstance(old, numbers) and isinstance(new, numbers)
            and not isinstance(old, bool) and not isinstance(new, bool)):
        return float(old) == float(new)
    return old == new
