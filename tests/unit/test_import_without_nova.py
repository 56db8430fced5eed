"""Only nova_lb.scheduler may import Nova: the rest runs without it.

The rebalancer runs wherever openstacksdk reaches the cloud, not only on a
Nova controller. A child interpreter that cannot import ``nova`` imports
every other nova_lb module.
"""

import os
import subprocess
import sys

import testtools

import nova_lb

CHILD = r"""
import importlib
import importlib.abc
import pkgutil
import sys


class NoNova(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == 'nova' or name.startswith('nova.'):
            raise ImportError('nova is not installed here: %s' % name)
        return None


sys.meta_path.insert(0, NoNova())
import nova_lb

imported = []
for info in pkgutil.walk_packages(nova_lb.__path__, 'nova_lb.'):
    if info.name == 'nova_lb.scheduler' or info.name.startswith(
            'nova_lb.scheduler.'):
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
assert 'nova' not in sys.modules
print('\n'.join(imported))
"""


class ImportWithoutNovaTest(testtools.TestCase):

    def test_everything_but_the_scheduler_plugin_imports(self):
        root = os.path.dirname(os.path.dirname(nova_lb.__file__))
        result = subprocess.run(
            [sys.executable, '-c', CHILD], cwd=root, capture_output=True,
            text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stderr)
        imported = result.stdout.split()
        self.assertIn('nova_lb.model.cost', imported)
        self.assertIn('nova_lb.conf.nova_lb_group', imported)

    def test_the_finder_does_block_nova(self):
        # The guard itself works: the scheduler plugin fails under it.
        code = CHILD.split('import nova_lb\n')[0] + (
            'import nova_lb.scheduler.filters\n')
        result = subprocess.run([sys.executable, '-c', code],
                                capture_output=True, text=True, timeout=120)
        self.assertNotEqual(0, result.returncode)
        self.assertIn('nova is not installed here', result.stderr)
