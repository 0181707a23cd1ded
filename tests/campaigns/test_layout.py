"""Issue 17: campaigns in three parts (agencies, campaigns, reporting) with one models
package that re-exports every model, one way into the courses floor (courses_bridge) and
no function-level imports of our own modules except where they break a real cycle."""

import ast
from pathlib import Path

from django.apps import apps

import campaigns.models

APP = Path(campaigns.models.__file__).resolve().parents[1]
OURS = ("accounts", "assessments", "campaigns", "cms", "courses")
# Modules allowed to import the courses floor directly: the bridge itself, the app config
# (it connects to courses.signals) and the demo data builder (it plays a learner's history
# through the courses services).
COURSES_ALLOWED = {"courses_bridge.py", "apps.py", "demo.py"}
# Function-level imports allowed: app loading (apps.ready) and the tasks, which the
# services import back to send them (a real cycle).
LAZY_ALLOWED = {"apps.py", "tasks.py"}


def modules():
    for path in sorted(APP.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(APP).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imported(node) -> str:
    return (node.module if isinstance(node, ast.ImportFrom) else node.names[0].name) or ""


def test_every_model_is_re_exported_by_the_models_package():
    names = {model.__name__ for model in apps.get_app_config("campaigns").get_models()}
    assert names <= set(campaigns.models.__all__)
    assert all(getattr(campaigns.models, name) for name in campaigns.models.__all__)


def test_only_the_bridge_imports_the_courses_floor():
    found = [
        f"{name}: {imported(node)}"
        for name, tree in modules()
        if name not in COURSES_ALLOWED
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and imported(node).startswith("courses")
    ]
    assert found == []


def test_no_function_level_imports_of_our_modules_without_a_cycle():
    found = []
    for name, tree in modules():
        if name in LAZY_ALLOWED:
            continue
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and (
                    imported(node).split(".")[0] in OURS
                ):
                    found.append(f"{name}:{node.lineno}: {imported(node)}")
    assert found == []
