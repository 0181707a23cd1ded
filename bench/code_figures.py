"""Figures of the code itself (issue 17): how big, how long, how tangled.

    .venv/bin/python bench/code_figures.py [ROOT] [--top N] [--list-lazy] [--list-qtype]

ROOT is a checkout (default: this one); for a frozen copy of a commit use a worktree:
`git worktree add /tmp/before fda425c && .venv/bin/python bench/code_figures.py /tmp/before`.
Reads the files git knows there (tracked, and untracked ones it does not ignore), never
runs them. Migrations are left out everywhere. Prints:

- Python files: all of them, then those of the apps (cms, accounts, assessments, courses,
  campaigns), tests/ and the rest.
- The N largest app modules and the N longest app functions, in lines (a function from its
  `def` line to its last line, decorators left out; methods named Class.method).
- Lazy imports: `import`/`from ... import` of our own apps' modules (or relative imports)
  inside a function body, in app code.
- Question-type places: the places a new question type has to be added to. A place is a
  function (or a module's top level, or a template) that compares a question's type with a
  type's code (`qtype == "short_answer"`, `q.type == "single"`, `QuestionType.MATCHING`,
  `in ("single", "true_false")`), or a table literal naming three or more types' codes;
  outside the enum that defines the codes. Also the modules where the literal
  "short_answer" is written (the enum's own line left out).

The duplicate pairs come from the `duplicates` command, not from here:
`duplicates --most 200 --seconds 120 | grep '^D' | grep -vc migrations/` in ROOT.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
from pathlib import Path

APPS = ("cms", "accounts", "assessments", "courses", "campaigns")
QUESTION_TYPES = ("single", "multiple", "true_false", "short_answer", "ordering", "matching")
# `{% if q.type == "single" %}`-like branches in templates.
TEMPLATE_BRANCH = re.compile(
    r"{%\s*(?:el)?if\b[^%]*\btype\s*==\s*[\"'](" + "|".join(QUESTION_TYPES) + r")[\"']"
)


def tracked_files(root: Path) -> list[str]:
    """The files git knows below root (tracked and untracked-not-ignored), else every file."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        names = out.splitlines()
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    skip = ("/migrations/", ".venv/", "node_modules/", "build/")
    return sorted(n for n in names if not any(s in "/" + n for s in skip) and (root / n).is_file())


def area(name: str) -> str:
    top = name.split("/", 1)[0]
    if top in APPS:
        return "apps"
    if top == "tests":
        return "tests"
    return "other"


def functions(tree: ast.AST):
    """(qualified name, node) for every function and method, nested ones included."""

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                yield name, child
                yield from walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def own_module(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return True
        names = [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    return any(n.split(".")[0] in APPS for n in names)


def lazy_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Our own modules imported inside a function body: (line, what)."""
    found = []
    for _name, func in functions(tree):
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom) and own_module(node):
                found.append((node.lineno, ast.unparse(node)))
    # A nested function's imports are walked twice (from it and from its parent).
    return sorted(set(found))


def _codes(node: ast.AST) -> set[str]:
    """Question-type codes a comparison operand names."""
    codes = set()
    if isinstance(node, ast.Constant) and node.value in QUESTION_TYPES:
        codes.add(node.value)
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for elt in node.elts:
            codes |= _codes(elt)
    elif (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "QuestionType"
        and node.attr.isupper()  # a member, not .values or .choices
    ):
        codes.add(node.attr.lower())
    return codes


def _is_type_switch(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    if not any(_codes(o) for o in operands):
        return False
    # The other side speaks of a type (qtype, q.type, entry["type"], QuestionType.X):
    # `kind == "single"` in H5P scoring is another vocabulary.
    text = ast.unparse(node)
    return "type" in text.lower().replace("questiontype", "type")


def question_type_places(name: str, source: str, tree: ast.AST | None) -> list[str]:
    places = []
    if tree is None:  # a template
        if TEMPLATE_BRANCH.search(source):
            places.append(f"{name} (template branch)")
        return places
    owner = {}  # node id -> innermost function name
    for fname, func in functions(tree):
        for node in ast.walk(func):
            owner[id(node)] = fname
    seen = set()
    for node in ast.walk(tree):
        where = None
        if isinstance(node, ast.Compare) and _is_type_switch(node):
            where = owner.get(id(node), "<module>")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            elts = node.keys if isinstance(node, ast.Dict) else node.elts
            codes = {e.value for e in elts if isinstance(e, ast.Constant)}
            if len(codes & set(QUESTION_TYPES)) >= 3:
                where = owner.get(id(node), "<module>")
        if where and where not in seen:
            seen.add(where)
            places.append(f"{name}:{where}")
    return places


def defines_question_type_enum(tree: ast.AST) -> set[int]:
    """Lines of the QuestionType enum's members (left out of the counts)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "QuestionType":
            lines |= set(range(node.lineno, node.end_lineno + 1))
    return lines


def measure(root: Path, top: int) -> dict:
    names = tracked_files(root)
    py = [n for n in names if n.endswith(".py")]
    figures = {
        "files": {"all": len(py)},
        "modules": [],
        "functions": [],
        "lazy": [],
        "qtype_places": [],
        "short_answer_modules": [],
    }
    for key in ("apps", "tests", "other"):
        figures["files"][key] = sum(1 for n in py if area(n) == key)
    for name in py:
        source = (root / name).read_text(encoding="utf-8")
        tree = ast.parse(source, filename=name)
        if area(name) != "apps":
            continue
        figures["modules"].append((len(source.splitlines()), name))
        for fname, func in functions(tree):
            figures["functions"].append((func.end_lineno - func.lineno + 1, f"{name}:{fname}"))
        figures["lazy"] += [(name, line, text) for line, text in lazy_imports(tree)]
        figures["qtype_places"] += question_type_places(name, source, tree)
        enum_lines = defines_question_type_enum(tree)
        for number, line in enumerate(source.splitlines(), 1):
            if number not in enum_lines and re.search(r"[\"']short_answer[\"']", line):
                figures["short_answer_modules"].append(name)
                break
    for name in names:
        if name.endswith(".html") and area(name) == "apps":
            source = (root / name).read_text(encoding="utf-8")
            figures["qtype_places"] += question_type_places(name, source, None)
    figures["modules"] = sorted(figures["modules"], reverse=True)[:top]
    figures["functions"] = sorted(figures["functions"], reverse=True)[:top]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--list-lazy", action="store_true", help="every lazy import")
    parser.add_argument("--list-qtype", action="store_true", help="every question-type place")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    f = measure(root, args.top)
    files = f["files"]
    print(f"root: {root}")
    print(
        f"Python files (migrations left out): {files['all']} "
        f"(apps {files['apps']}, tests {files['tests']}, other {files['other']})"
    )
    print(f"\n{args.top} largest app modules (lines):")
    for lines, name in f["modules"]:
        print(f"  {lines:5d}  {name}")
    print(f"\n{args.top} longest app functions (lines):")
    for lines, name in f["functions"]:
        print(f"  {lines:5d}  {name}")
    lazy_files = len({name for name, _, _ in f["lazy"]})
    other_app = sum(
        1
        for name, _, text in f["lazy"]
        if text.split()[1].split(".")[0] not in (name.split("/")[0], "")
    )
    print(
        f"\nlazy imports of our own modules: {len(f['lazy'])} in {lazy_files} modules "
        f"({other_app} of another app's modules)"
    )
    if args.list_lazy:
        for name, line, text in f["lazy"]:
            print(f"  {name}:{line}  {text}")
    qfiles = len({p.split(":")[0].split(" ")[0] for p in f["qtype_places"]})
    print(f"question-type places: {len(f['qtype_places'])} in {qfiles} files")
    if args.list_qtype:
        for place in f["qtype_places"]:
            print(f"  {place}")
    print(
        f'modules writing the literal "short_answer": {len(f["short_answer_modules"])} '
        f"({', '.join(f['short_answer_modules'])})"
    )


if __name__ == "__main__":
    main()
