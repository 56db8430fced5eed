import os
import subprocess
import sys

import fixtures

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

import nova_lb.conf
from nova_lb import exception
from nova_lb.model import cost_settings

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
