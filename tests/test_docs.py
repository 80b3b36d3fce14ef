"""The documentation covers what a user can type: every command and every config key."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from searchlib import config as config_module
from searchlib.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _documentation() -> str:
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def _commands(group: click.Group, prefix: str = "searchlib") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_command_is_documented() -> None:
    text = _documentation()
    commands = _commands(cli)
    assert len(commands) >= 12
    missing = [c for c in commands if not re.search(re.escape(c) + r"\b", text)]
    assert missing == []


def _config_example() -> dict:
    """The YAML block of docs/configuration.md's "Every key" section."""
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    section = page.split("## Every key", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None, "docs/configuration.md has no yaml block under 'Every key'"
    example = yaml.safe_load(block.group(1))
    assert isinstance(example, dict)
    return example


def test_every_config_key_is_in_the_documented_example() -> None:
    example = _config_example()
    missing = []
    for key, schema in config_module._SCHEMA.items():
        if key not in example:
            missing.append(key)
        elif isinstance(schema, dict):
            given = example[key] or {}
            missing += [f"{key}.{sub}" for sub in schema if sub not in given]
    field_keys = {k for spec in (example.get("fields") or {}).values() for k in spec or {}}
    missing += [f"fields.NAME.{k}" for k in config_module._FIELD_KEYS if k not in field_keys]
    assert missing == []


def test_the_documented_example_is_a_valid_config() -> None:
    example = _config_example()
    example.pop("backend", None)  # the cluster backend needs live nodes to open
    config_module.load_config(example)
