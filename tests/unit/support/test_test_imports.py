"""What tests share lives in tests/support (issue 13 point 5): no test module imports another
test_*.py, so running, moving or deleting one never changes another."""
import ast

from tests.support.paths import ROOT


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_under_tests_imports_a_test_module():
    offenders = [f"{path.relative_to(ROOT)} imports {name}"
                 for path in sorted((ROOT / "tests").rglob("*.py"))
                 for name in imported_modules(ast.parse(path.read_text()))
                 if name.rsplit(".", 1)[-1].startswith("test_")]
    assert offenders == []


def test_the_check_sees_an_import_of_a_test_module():
    tree = ast.parse("from tests.e2e.test_users import bearer\nfrom tests.e2e import test_payments")
    assert [n for n in imported_modules(tree) if n.rsplit(".", 1)[-1].startswith("test_")] == [
        "tests.e2e.test_users", "tests.e2e.test_payments"]
