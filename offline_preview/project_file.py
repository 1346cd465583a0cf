"""`Pulumi.yaml` as `pulumi preview` reads it: the runtime, `main:`, `stackConfigDir` and project-level config.

Each rule follows pulumi/pulumi (master):
- the schema (sdk/go/common/workspace/project.json): `name` and `runtime` are required; `runtime` is a name or
  `{name, options}`; `config` maps a key to text, a whole number, a boolean or a declaration
  `{type, description, items, default, value, secret}`;
- the short forms (project.go, RewriteShorthandConfigValues): `key: value` of text, a whole number, a boolean or
  a list is a default when the key is the project's (`key` or `<project>:key`), and a value otherwise
  (`kubernetes:context: x`); a deprecated `config: <folder>` names the stack config folder
  (RewriteConfigPathIntoStackConfigDir);
- the declarations (project.go, Project.Validate): never both `default` and `value`; a key of another namespace
  has a `value` and no type or default; an `array` names its `items`; a typed default has its type;
- the merge (config.go, mergeConfig): a key the stack file does not set takes the project's value or default,
  text as it is and numbers and booleans as their text, lists and mappings as JSON (createConfigValue); a key of
  the project with neither is required of every stack; then each typed key's stack value is checked against
  its type, and a `secret: true` key must be `secure:` in the stack file (validateStackConfigValues);
- `main:` (pkg/engine/project.go, getPwdMain): relative, inside the project folder, existing; a folder runs its
  `__main__.py` (pulumi-language-python-exec: runpy.run_path), a file runs itself.

Offline nothing can be decrypted, so a `secure:` stack value is not checked against its type.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_playground.model_base import shown
from offline_preview.errors import OfflineRunError

RUNTIME = "python"
DECLARATION_KEYS = ("type", "description", "items", "default", "value", "secret")
CONFIG_TYPES = ("string", "integer", "boolean", "array")


@dataclass(frozen=True)
class ConfigDeclaration:
    key: str  # as written in Pulumi.yaml
    full_key: str  # `namespace:name`
    type: str | None = None
    items: dict[str, Any] | None = None
    default: Any = None
    value: Any = None
    secret: bool = False

    @property
    def given(self) -> Any:
        """The value a stack without the key gets (None: none)."""
        return self.default if self.default is not None else self.value


@dataclass(frozen=True)
class Project:
    name: str
    program: Path  # the file the preview runs: `main:`'s file, or a folder's __main__.py
    stack_config_dir: Path
    config: list[ConfigDeclaration] = field(default_factory=list)


def read_project(project_file: Path, document: Any) -> Project:
    """The project of an already parsed Pulumi.yaml; an error names the file, the key and what is allowed."""
    if not isinstance(document, dict):
        raise OfflineRunError(f"{project_file}: must be a mapping with `name:` and `runtime:`, as `pulumi new` writes")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise OfflineRunError(f"{project_file}: name: must be the project's name (text), as `pulumi new` writes it")
    _check_runtime(project_file, document.get("runtime"))
    folder = project_file.parent
    stack_config_dir, config = _stack_config_dir_and_config(project_file, document)
    return Project(
        name=name,
        program=_program(project_file, document.get("main")),
        stack_config_dir=folder / stack_config_dir if stack_config_dir else folder,
        config=_declarations(project_file, name, config),
    )


def merged_config(
    project: Project,
    project_file: Path,
    stack_file: Path,
    stack: str,
    entries: dict[str, tuple[str, bool, Any]],
) -> dict[str, str]:
    """The project's values and defaults under the stack's own keys (`entries`: full key -> (text, secret, the
    stack file's value)); the config the engine hands the program."""
    config = {key: text for key, (text, _, _) in entries.items()}
    missing = []
    for declaration in sorted(project.config, key=lambda d: d.key):
        if declaration.full_key in entries:
            continue
        given = declaration.given
        if given is None:
            if declaration.full_key.startswith(f"{project.name}:"):
                missing.append(declaration.key)
            continue
        config[declaration.full_key] = _engine_text(given)
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise OfflineRunError(
            f"{stack_file}: stack {stack!r} is missing configuration value{plural} {', '.join(map(repr, missing))}"
            f" that {project_file} declares without a default: set {'them' if plural else 'it'} with"
            " `pulumi config set`"
        )
    for declaration in project.config:
        if not declaration.full_key.startswith(f"{project.name}:"):
            continue
        if declaration.full_key in entries:
            _, secret, raw = entries[declaration.full_key]
        else:
            secret, raw = False, declaration.given
        where = f"{stack_file}: {declaration.key}" if declaration.full_key in entries else f"{project_file}: config"
        if declaration.secret and not secret:
            raise OfflineRunError(
                f"{where}: {declaration.key} is declared `secret: true` in {project_file}, so its value must be"
                f" encrypted: `pulumi config set --secret {declaration.key} ...`"
            )
        if declaration.type is not None and not secret:
            content = raw if isinstance(raw, dict | list) else config[declaration.full_key]
            if not valid_value(declaration.type, declaration.items, content):
                raise OfflineRunError(
                    f"{where}: {declaration.key} must be of type {_type_name(declaration.type, declaration.items)}"
                    f" (declared in {project_file}), not {shown(content)}"
                )
    return config


def valid_value(type_name: str, items: dict[str, Any] | None, value: Any) -> bool:
    """pulumi/pulumi project.go, ValidateConfigValue."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value == int(value)):
            return True
        return isinstance(value, str) and _atoi(value)
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(valid_value(str(items.get("type")), items.get("items"), item) for item in value)


def _check_runtime(project_file: Path, runtime: Any) -> None:
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime is None:
        raise OfflineRunError(f"{project_file}: runtime: required (the program's language: `runtime: python`)")
    if not isinstance(name, str) or not name:
        raise OfflineRunError(
            f"{project_file}: runtime: must be a name or a mapping with `name:`, not {shown(runtime)}"
        )
    if name != RUNTIME:
        raise OfflineRunError(
            f"{project_file}: runtime: {shown(name)}: the offline preview runs Python programs only (this project's"
            " program is Python: `runtime: python`); preview another runtime with `pulumi preview`"
        )


def _program(project_file: Path, main: Any) -> Path:
    folder = project_file.parent
    if main is None or main == "":
        return folder / "__main__.py"
    if not isinstance(main, str):
        raise OfflineRunError(f"{project_file}: main: must be a path (text), not {shown(main)}")
    if Path(main).is_absolute():
        raise OfflineRunError(f"{project_file}: main: {shown(main)}: must be a relative path, as Pulumi requires")
    target = (folder / main).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise OfflineRunError(
            f"{project_file}: main: {shown(main)}: must be a subfolder of the project folder, as Pulumi requires"
        )
    try:
        mode = target.stat().st_mode
    except OSError as error:
        raise OfflineRunError(
            f"{project_file}: main: {shown(main)}: cannot be read: {error.strerror or error}"
        ) from None
    program = target / "__main__.py" if stat.S_ISDIR(mode) else target
    check_program(program, f"{project_file}: main: {shown(main)}")
    return program


def check_program(program: Path, where: str) -> None:
    """The program is a regular file (a FIFO would block runpy forever)."""
    try:
        regular = stat.S_ISREG(program.stat().st_mode)
    except OSError:
        regular = False
    if not regular:
        raise OfflineRunError(
            f"{where}: no Python program at {program} (a folder's __main__.py or a .py file, a regular file)"
        )


def _stack_config_dir_and_config(project_file: Path, document: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    config = document.get("config")
    folder = document.get("stackConfigDir")
    if isinstance(config, str):  # the deprecated form of stackConfigDir
        if folder is not None:
            raise OfflineRunError(
                f"{project_file}: config: {shown(config)} and stackConfigDir both name the stack config folder:"
                " keep stackConfigDir"
            )
        folder, config = config, None
    if folder is not None and (not isinstance(folder, str) or Path(folder).is_absolute()):
        raise OfflineRunError(f"{project_file}: stackConfigDir: must be a folder relative to {project_file.parent}")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise OfflineRunError(f"{project_file}: config: must be a mapping of config key -> value or declaration")
    return folder or None, config


def _declarations(project_file: Path, project: str, config: dict[str, Any]) -> list[ConfigDeclaration]:
    declarations = []
    for key, raw in config.items():
        where = f"{project_file}: config.{shown(key) if not _plain(key) else key}"
        ours = ":" not in key or key.startswith(f"{project}:")
        full_key = key if ":" in key else f"{project}:{key}"
        if key.count(":") > 1 or not key.strip(":") or key.startswith(":") or key.endswith(":"):
            raise OfflineRunError(f"{where}: not a config key: write `name` or `namespace:name`")
        if isinstance(raw, str | bool | int | list):
            raw = {"default": raw} if ours else {"value": raw}
        if not isinstance(raw, dict):
            raise OfflineRunError(
                f"{where}: {shown(raw)} is not allowed: write text, a whole number, true/false, a list, or a"
                f" declaration with {', '.join(DECLARATION_KEYS)}"
            )
        unknown = sorted(set(raw) - set(DECLARATION_KEYS))
        if unknown:
            raise OfflineRunError(
                f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; a declaration has"
                f" {', '.join(DECLARATION_KEYS)} (a mapping value is written under `value:` or `default:`)"
            )
        declaration = ConfigDeclaration(
            key=key,
            full_key=full_key,
            type=raw.get("type"),
            items=raw.get("items"),
            default=raw.get("default"),
            value=raw.get("value"),
            secret=raw.get("secret") is True,
        )
        _check_declaration(where, declaration, ours, raw)
        declarations.append(declaration)
    return declarations


def _check_declaration(where: str, declaration: ConfigDeclaration, ours: bool, raw: dict[str, Any]) -> None:
    if declaration.default is not None and declaration.value is not None:
        raise OfflineRunError(f"{where}: has both `default` and `value`: keep one")
    if not isinstance(raw.get("secret", False), bool):
        raise OfflineRunError(f"{where}.secret: must be true or false")
    if not ours:
        if declaration.type is not None or declaration.default is not None:
            raise OfflineRunError(
                f"{where}: a key of another namespace takes a `value` only (no type or default): write `value: ...`"
            )
        if declaration.value is None:
            raise OfflineRunError(f"{where}: a key of another namespace must give its `value`")
        return
    if declaration.type is not None:
        if declaration.type not in CONFIG_TYPES:
            raise OfflineRunError(f"{where}.type: {shown(declaration.type)} is not one of {', '.join(CONFIG_TYPES)}")
        if declaration.type == "array" and not _items_ok(declaration.items):
            raise OfflineRunError(f"{where}: an array names the type of its items (`items: {{type: string}}`)")
        if declaration.default is not None and not valid_value(
            declaration.type, declaration.items, declaration.default
        ):
            raise OfflineRunError(
                f"{where}.default: {shown(declaration.default)} is not of the declared type"
                f" {_type_name(declaration.type, declaration.items)}"
            )


def _items_ok(items: Any) -> bool:
    if not isinstance(items, dict) or items.get("type") not in CONFIG_TYPES or set(items) - {"type", "items"}:
        return False
    return items["type"] != "array" or _items_ok(items.get("items"))


def _type_name(type_name: str, items: dict[str, Any] | None) -> str:
    if items is not None and type_name == "array":
        return f"array<{_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def _engine_text(value: Any) -> str:
    """createConfigValue: text as it is, a whole number or boolean as its text, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _atoi(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    return body.isascii() and body.isdigit()


def _plain(key: str) -> bool:
    return key.isprintable() and key.isascii() and " " not in key
