"""Names shared with admins and other tools, and the API microversions,
are each spelled in one place: a second spelling could drift from it."""

import ast
import os
import re

import testtools

import nova_lb
from nova_lb import contract

PACKAGE = os.path.dirname(os.path.abspath(nova_lb.__file__))
MICROVERSION = re.compile(r'^[12]\.\d+$')


def _constants():
    """``(module path, string)`` of every string constant in nova_lb that
    is not a docstring."""
    for root, _dirs, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(root, name)
            with open(path) as f:
                tree = ast.parse(f.read(), path)
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.ClassDef,
                                               ast.FunctionDef))
                          and node.body
                          and isinstance(node.body[0], ast.Expr)}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant)
                        and isinstance(node.value, str)
                        and id(node) not in docstrings):
                    yield os.path.relpath(path, PACKAGE), node.value


class OnePlaceTest(testtools.TestCase):

    def test_contract_strings_only_in_contract(self):
        names = {contract.SNAPSHOT_FORMAT, contract.PLAN_FORMAT,
                 contract.OPT_OUT_KEY, contract.AGGREGATE_KEY_PREFIX}
        self.assertEqual([], [(path, value) for path, value in _constants()
                              if value in names
                              and path != 'contract.py'])

    def test_microversions_only_in_the_table(self):
        found = [(path, value) for path, value in _constants()
                 if MICROVERSION.match(value)]
        self.assertNotEqual([], found)
        self.assertEqual({os.path.join('cloud', 'versions.py')},
                         {path for path, _value in found})
