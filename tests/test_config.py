"""Every configuration key the code reads is declared in config.py (or is one of Flask's own), and
every run-time setting is read through its named accessor: a misspelt name fails here, never
falls back to a silent default."""
import ast
import re
from pathlib import Path

from flask import Flask

from config import BASE_DIR, build_config
from services import settings

SOURCE_DIRS = ("app.py", "cli.py", "config.py", "email_manager.py", "events.py", "extensions.py", "models.py",
               "serving.py", "realtime", "routes", "services", "web")


def source_files():
    for name in SOURCE_DIRS:
        path = BASE_DIR / name
        yield from (sorted(path.rglob("*.py")) if path.is_dir() else [path])


def config_reads(tree):
    """Keys read as `<x>.config["KEY"]` or `<x>.config.get("KEY", ...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "config" and isinstance(node.slice, ast.Constant):
            yield node.slice.value, node.lineno
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "config" \
                and node.args and isinstance(node.args[0], ast.Constant):
            yield node.args[0].value, node.lineno


def test_every_config_key_read_is_declared():
    declared = set(build_config()) | set(Flask.default_config)
    undeclared = [f"{path.relative_to(BASE_DIR)}:{line} {key}" for path in source_files()
                  for key, line in config_reads(ast.parse(path.read_text())) if key not in declared]
    assert undeclared == []


def test_config_is_read_without_silent_defaults():
    """`.get("KEY", default)` would hide a key that is not declared: the code reads config["KEY"]."""
    with_default = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "config":
                with_default.append(f"{path.relative_to(BASE_DIR)}:{node.lineno}")
    assert with_default == []


def test_each_setting_has_its_accessor_under_its_own_name():
    for key, setting in settings.SETTINGS.items():
        accessor = "timezone_name" if key == "timezone" else key
        assert getattr(settings, accessor) is setting, key


def test_settings_default_to_declared_config(app):
    declared = set(build_config())
    assert all(s.from_config in declared for s in settings.SETTINGS.values() if s.from_config)
    with app.test_request_context():
        assert settings.organisation_name() == app.config["ORGANISATION_NAME"]
        assert settings.auto_close_hours() == 72


def test_no_code_reads_a_setting_by_a_string_key():
    offenders = [str(path.relative_to(BASE_DIR)) for path in source_files() if "get_setting(" in path.read_text()]
    assert offenders == []
    templates = [str(path.relative_to(BASE_DIR)) for path in (BASE_DIR / "templates").rglob("*")
                 if path.is_file() and "setting(" in path.read_text(encoding="utf-8")]
    assert templates == []


def test_the_source_dirs_cover_every_module():
    covered = {path.resolve() for path in source_files()}
    modules = {path.resolve() for path in Path(BASE_DIR).glob("*.py")} | {
        path.resolve() for name in ("realtime", "routes", "services", "web")
        for path in (BASE_DIR / name).rglob("*.py")}
    assert modules - covered - {(BASE_DIR / "run.py").resolve(), (BASE_DIR / "wsgi.py").resolve()} == set()


def test_env_example_lists_every_environment_setting():
    names = set(re.findall(r'env_(?:str|int|bool|timezone)\("([A-Z_]+)"', (BASE_DIR / "config.py").read_text()))
    example = (BASE_DIR / ".env.example").read_text()
    assert sorted(name for name in names if f"{name}=" not in example) == []
