"""The layers of the code, read from the source: who may import whom.

Every module under portal/ is parsed with `ast` (nothing is imported), and every import is
collected, at the top of the module and inside functions alike. Each rule reports all the
imports that break it, so a failure names every one of them.
"""
import ast
import pathlib

import pytest

PORTAL = pathlib.Path(__file__).resolve().parents[2] / "portal"

AREAS = ("accounts", "feedback", "meetings", "products", "branches", "turnover", "indicators",
         "results", "field", "home", "demo")
SHARED_LAYERS = ("portal.core", "portal.extensions", "portal.i18n")

# Known exceptions, each with the reason it is tolerated. Keep this short; an entry here is
# a debt, not a licence.
ALLOWED = {
    # (importing module, imported module or a package above it)
}


class Import(tuple):
    """(importer, imported, line, in_function)"""

    importer = property(lambda self: self[0])
    imported = property(lambda self: self[1])
    line = property(lambda self: self[2])
    in_function = property(lambda self: self[3])

    def __str__(self):
        where = "inside a function" if self.in_function else "at module level"
        return f"{self.importer}:{self.line} imports {self.imported} ({where})"


def _module_name(path):
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module, node):
    """The absolute names an ImportFrom brings in: the module, and module.name for each name
    (a name may be a submodule: `from portal.feedback import permissions`)."""
    if node.level:
        package = module if _is_package(module) else module.rsplit(".", 1)[0]
        parts = package.split(".")
        base = parts[:len(parts) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def _is_package(module):
    return (PORTAL.parent / module.replace(".", "/") / "__init__.py").exists()


def _imports_of(path, module=None):
    module = module or _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(Import((module, alias.name, child.lineno, in_function))
                             for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend(Import((module, name, child.lineno, in_function))
                             for name in _resolve(module, child))
            visit(child, inside)

    visit(tree, False)
    return [i for i in found if i.imported == "portal" or i.imported.startswith("portal.")]


@pytest.fixture(scope="module")
def imports():
    collected = []
    for path in sorted(PORTAL.rglob("*.py")):
        collected.extend(_imports_of(path))
    assert collected, "no imports found: is PORTAL right?"
    return collected


def _within(name, package):
    return name == package or name.startswith(package + ".")


def _area_of(name):
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in AREAS else None


def _assert_none_breaks(imports, broken):
    offending = sorted({str(i) for i in imports if broken(i) and not any(
        i.importer == importer and _within(i.imported, imported)
        for importer, imported in ALLOWED)})
    assert not offending, "imports breaking the rule:\n" + "\n".join(offending)


def _is_area_permissions(module):
    return _area_of(module) is not None and module.endswith(".permissions") and \
        module.count(".") == 2


def test_the_collector_sees_imports_at_every_level(tmp_path):
    """The collector itself must see an import inside a function, or the rules below would
    pass by seeing nothing."""
    source = tmp_path / "sample.py"
    source.write_text("import json\nfrom portal import permissions\n\n\n"
                      "def f():\n    from portal.feedback.models import FeedbackItem\n",
                      encoding="utf-8")
    assert sorted(map(str, _imports_of(source, "portal.sample"))) == [
        "portal.sample:2 imports portal (at module level)",
        "portal.sample:2 imports portal.permissions (at module level)",
        "portal.sample:6 imports portal.feedback.models (inside a function)",
        "portal.sample:6 imports portal.feedback.models.FeedbackItem (inside a function)",
    ]


def test_shared_layers_import_no_area_and_no_permissions(imports):
    _assert_none_breaks(imports, lambda i: any(_within(i.importer, p) for p in SHARED_LAYERS) and (
        _area_of(i.imported) is not None or _within(i.imported, "portal.permissions")))


def test_shared_permissions_import_no_area_but_accounts(imports):
    _assert_none_breaks(imports, lambda i: i.importer == "portal.permissions" and
                      _area_of(i.imported) not in (None, "accounts"))


def test_models_and_services_import_no_views(imports):
    def broken(i):
        return _area_of(i.importer) is not None and \
            i.importer.rsplit(".", 1)[-1] in ("models", "services") and \
            i.imported.rsplit(".", 1)[-1].endswith("views")
    _assert_none_breaks(imports, broken)


def test_no_area_imports_another_areas_views(imports):
    def broken(i):
        theirs = _area_of(i.imported)
        return theirs is not None and i.imported.rsplit(".", 1)[-1].endswith("views") and \
            i.imported.count(".") >= 2 and _area_of(i.importer) != theirs
    _assert_none_breaks(imports, broken)


def _is_view_module(module):
    last = module.rsplit(".", 1)[-1]
    return _area_of(module) is not None and (last.endswith("views") or last == "api")


def test_views_import_no_other_areas_models(imports):
    """A view reaches another area through its services, queries or permissions, never its
    models. People and organisations (accounts) are the layer every area stands on."""
    def broken(i):
        theirs = _area_of(i.imported)
        return _is_view_module(i.importer) and theirs not in (None, "accounts") and \
            theirs != _area_of(i.importer) and i.imported.split(".")[2:3] == ["models"]
    _assert_none_breaks(imports, broken)


def test_permissions_modules_import_nothing_inside_functions(imports):
    _assert_none_breaks(imports, lambda i: i.in_function and (
        i.importer == "portal.permissions" or _is_area_permissions(i.importer)))


def test_area_permissions_modules_exist(imports):
    """The rules moved out of portal.permissions live in their areas."""
    modules = {i.importer for i in imports}
    for area in ("feedback", "products", "branches", "turnover", "indicators", "meetings",
                 "results", "field"):
        assert f"portal.{area}.permissions" in modules
