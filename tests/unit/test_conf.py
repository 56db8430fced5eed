import ast
import logging
import os
import subprocess
import sys

import fixtures

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

import nova_lb.conf
from nova_lb.conf import executor as executor_conf
from nova_lb import exception
from nova_lb.model import cost_settings
from nova_lb.planner import planner

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class BalanceOptionsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        nova_lb.conf.register_opts(conf)
        self.fixture = self.useFixture(config_fixture.Config(conf))
        self.conf = conf

    def _write(self, text):
        path = self.useFixture(
            fixtures.TempDir()).join('nova-lb.conf')
        with open(path, 'w') as f:
            f.write(text)
        self.conf(['--config-file', path])

    def test_defaults_weigh_cpu_and_memory_and_no_ceiling(self):
        settings = cost_settings.load(self.conf)
        # DISK_GB's weight is 0: not in the cost, still a capacity.
        self.assertEqual(('VCPU', 'MEMORY_MB'),
                         settings.cost.resource_classes)
        self.assertEqual({'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 1.0},
                         settings.ceilings)

    def test_custom_class_weight(self):
        self._write('[nova_lb]\nresource_weights = VCPU:2,CUSTOM_GPU:1\n')
        settings = cost_settings.load(self.conf)
        self.assertEqual(('VCPU', 'CUSTOM_GPU'),
                         settings.cost.resource_classes)
        self.assertEqual((1.0, 0.5), settings.cost.weights)

    def test_malformed_weight_is_one_clear_line(self):
        self._write('[nova_lb]\nresource_weights = VCPU:lots\n')
        e = self.assertRaises(exception.InvalidConfig, cost_settings.load,
                              self.conf)
        self.assertIn('[nova_lb]', str(e))
        self.assertIn('resource_weights', str(e))
        self.assertEqual(exception.EXIT_BAD_INPUT, e.exit_code)

    def test_all_zero_weights_rejected(self):
        self._write('[nova_lb]\nresource_weights = VCPU:0,MEMORY_MB:0\n')
        e = self.assertRaises(exception.InvalidConfig, cost_settings.load,
                              self.conf)
        self.assertIn('at least one resource class', str(e))

    def test_ceiling_out_of_range_rejected(self):
        self._write('[nova_lb]\nmemory_mb_ceiling = 1.5\n')
        e = self.assertRaises(exception.InvalidConfig, cost_settings.load,
                              self.conf)
        self.assertIn('memory_mb_ceiling', str(e))

    def test_zero_ceiling_rejected(self):
        self._write('[nova_lb]\nvcpu_ceiling = 0\n')
        e = self.assertRaises(exception.InvalidConfig, cost_settings.load,
                              self.conf)
        self.assertIn('vcpu_ceiling must be > 0', str(e))


class PerHostLimitTest(testtools.TestCase):
    """One per-host limit for the waves and the executor; the old
    ``[solver]`` name still works, with a deprecation warning."""

    def _conf(self, text):
        conf = cfg.ConfigOpts()
        nova_lb.conf.register_opts(conf)
        path = self.useFixture(fixtures.TempDir()).join('nova-lb.conf')
        with open(path, 'w') as f:
            f.write(text)
        conf(['--config-file', path])
        return conf

    def test_one_option_for_waves_and_executor(self):
        conf = self._conf('[executor]\nmax_parallel_per_host = 3\n')
        self.assertEqual(3, planner.options_from_conf(conf).wave_per_host)
        self.assertEqual(3, executor_conf.load(conf).max_per_host)
        self.assertEqual(3, planner.options_from_conf(conf).limits().per_host)

    def test_old_solver_name_still_read_and_deprecated(self):
        log = self.useFixture(fixtures.FakeLogger(level=logging.WARNING))
        conf = self._conf('[solver]\nmax_wave_migrations_per_host = 2\n')
        self.assertEqual(2, planner.options_from_conf(conf).wave_per_host)
        self.assertEqual(2, executor_conf.load(conf).max_per_host)
        self.assertIn('"max_wave_migrations_per_host" from group "solver" '
                      'is deprecated', log.output)
        self.assertIn('"max_parallel_per_host" from group "executor"',
                      log.output)

    def test_new_name_wins_over_the_old(self):
        conf = self._conf('[solver]\nmax_wave_migrations_per_host = 2\n'
                          '[executor]\nmax_parallel_per_host = 4\n')
        self.assertEqual(4, planner.options_from_conf(conf).wave_per_host)

    def test_default_is_one(self):
        conf = self._conf('')
        self.assertEqual(1, planner.options_from_conf(conf).wave_per_host)
        self.assertEqual(1, executor_conf.load(conf).max_per_host)


class ConfDeclaresOnlyTest(testtools.TestCase):
    """``nova_lb/conf/*.py`` declare options: as Nova's ``nova/conf``, they
    import oslo.config, each other and the standard library, nothing that
    reads them (no import back up the layers)."""

    ALLOWED = ('oslo_config', 'nova_lb.conf', 'nova_lb.exception')

    def _imports(self, path):
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name
            elif isinstance(node, ast.ImportFrom):
                # ``from nova_lb import conf`` imports nova_lb.conf.
                for alias in node.names:
                    yield '%s.%s' % (node.module, alias.name)

    def test_conf_imports_only_oslo_config_and_itself(self):
        conf_dir = os.path.join(ROOT, 'nova_lb', 'conf')
        found = []
        for name in sorted(os.listdir(conf_dir)):
            if not name.endswith('.py'):
                continue
            for module in self._imports(os.path.join(conf_dir, name)):
                top = module.split('.')[0]
                if top in sys.stdlib_module_names:
                    continue
                if not any(module == allowed or module.startswith(
                        allowed + '.') for allowed in self.ALLOWED):
                    found.append('%s imports %s' % (name, module))
        self.assertEqual([], found)

    def test_the_check_sees_an_import_back_up(self):
        # The parser finds what the old conf/solver.py imported.
        path = self.useFixture(fixtures.TempDir()).join('solver.py')
        with open(path, 'w') as f:
            f.write('from nova_lb.solver import result\nimport numpy\n')
        self.assertEqual(['nova_lb.solver.result', 'numpy'],
                         list(self._imports(path)))


class SampleConfigTest(testtools.TestCase):
    """The checked-in sample is what ``tox -e genconfig`` writes now."""

    def test_sample_is_current(self):
        # In a subprocess: Nova's test fixtures, run earlier in the same
        # worker, change oslo.log's defaults for the whole process.
        out = self.useFixture(fixtures.TempDir()).join('sample.conf')
        subprocess.run(
            [sys.executable, '-m', 'oslo_config.generator',
             '--config-file', os.path.join(
                 ROOT, 'etc/oslo-config-generator/nova-lb.conf'),
             '--output-file', out],
            check=True, cwd=ROOT)
        with open(out) as f:
            fresh = f.read()
        with open(os.path.join(ROOT, 'etc/nova-lb/nova-lb.conf.sample')) as f:
            checked_in = f.read()
        self.assertEqual(checked_in, fresh,
                         'etc/nova-lb/nova-lb.conf.sample is stale: run '
                         'tox -e genconfig')

    def test_every_option_has_real_help(self):
        from nova_lb.conf import opts
        for group, options in opts.list_opts():
            for opt in options:
                self.assertGreater(len(opt.help or ''), 40,
                                   '[%s] %s' % (group, opt.name))
