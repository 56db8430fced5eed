"""The DevStack plugin, run phase by phase without DevStack.

bash sources devstack/settings and devstack/plugin.sh as DevStack does,
with DevStack's functions replaced by the doubles in devstack_doubles/
(real INI editing, recorded process and install calls), on a temporary
directory standing in for /etc. The nova.conf it leaves behind is then read
with Nova's own option definitions and Nova's filter and weigher loaders,
as nova-scheduler reads it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from oslo_config import cfg

from nova.conf import scheduler as nova_scheduler_conf

import nova_lb.conf
from nova_lb.model import cost
from nova_lb.model import cost_settings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DOUBLES = os.path.join(REPO, 'tests', 'unit', 'devstack_doubles')
PLUGIN = os.path.join(REPO, 'devstack', 'plugin.sh')
SETTINGS = os.path.join(REPO, 'devstack', 'settings')

NOVA_DEFAULT_FILTERS = next(
    o.default for o in nova_scheduler_conf.filter_scheduler_opts
    if o.name == 'enabled_filters')

# What DevStack's create_nova_conf leaves in nova.conf before plugins run.
DEVSTACK_NOVA_CONF = """[DEFAULT]
debug = True

[filter_scheduler]
track_instance_changes = False
"""


class DevStackPluginTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='nova-lb-devstack-')
        self.addCleanup(shutil.rmtree, self.tmp)
        self.nova_conf = os.path.join(self.tmp, 'etc', 'nova', 'nova.conf')
        os.makedirs(os.path.dirname(self.nova_conf))
        with open(self.nova_conf, 'w') as f:
            f.write(DEVSTACK_NOVA_CONF)
        self.calls = os.path.join(self.tmp, 'calls')
        self.conf_dir = os.path.join(self.tmp, 'etc', 'nova-lb')
        self.bin_dir = os.path.join(self.tmp, 'venv', 'bin')
        self.env = {
            'PATH': os.environ['PATH'],
            'HOME': self.tmp,
            'PYTHON': sys.executable,
            'DEST': os.path.join(self.tmp, 'opt', 'stack'),
            'DATA_DIR': os.path.join(self.tmp, 'opt', 'stack', 'data'),
            'NOVA_CONF': self.nova_conf,
            'NOVA_LB_DIR': REPO,
            'NOVA_LB_CONF_DIR': self.conf_dir,
            'NOVA_LB_TEST_CALLS': self.calls,
            'NOVA_LB_TEST_BIN_DIR': self.bin_dir,
            'STACK_USER': subprocess.check_output(
                ['id', '-un'], text=True).strip(),
            'ENABLE_DEBUG_LOG_LEVEL': 'True',
            'ENABLED_SERVICES': 'key,n-api,n-sch,n-cond,n-cpu,placement-api',
        }

    def stack(self, *phases, **env):
        """Source the plugin for each ``(mode, phase)`` as stack.sh does."""
        script = ['set -o errexit', 'source %s/functions' % DOUBLES,
                  'source %s' % SETTINGS]
        script += ['source %s %s' % (PLUGIN, ' '.join(p)) for p in phases]
        result = subprocess.run(
            ['bash', '-c', '\n'.join(script)], env=dict(self.env, **env),
            capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stderr)
        return result

    def recorded(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return [tuple(line.split('\t')) for line in f.read().splitlines()]

    def scheduler_conf(self):
        """nova.conf read with Nova's real [filter_scheduler] options."""
        conf = cfg.ConfigOpts()
        nova_scheduler_conf.register_opts(conf)
        conf([], project='nova', default_config_files=[self.nova_conf])
        return conf.filter_scheduler

    def full_stack(self, **env):
        return self.stack(('stack', 'install'), ('stack', 'post-config'),
                          ('stack', 'extra'), **env)

    def test_unset_filters_become_novas_defaults_plus_ours(self):
        self.full_stack()
        fs = self.scheduler_conf()
        self.assertEqual(['nova.scheduler.filters.all_filters',
                          'nova_lb.scheduler.filters.all_filters'],
                         fs.available_filters)
        self.assertEqual(NOVA_DEFAULT_FILTERS
                         + ['HeadroomFilter', 'DrainingHostFilter'],
                         fs.enabled_filters)
        self.assertEqual(['nova.scheduler.weights.all_weighers',
                          'nova_lb.scheduler.weighers.all_weighers'],
                         fs.weight_classes)
        # Options Nova already had are left alone.
        self.assertFalse(fs.track_instance_changes)

    def test_filters_devstack_set_are_kept(self):
        with open(self.nova_conf, 'a') as f:
            f.write('enabled_filters = ComputeFilter, SameHostFilter,'
                    'DifferentHostFilter\n')
        self.full_stack()
        self.assertEqual(['ComputeFilter', 'SameHostFilter',
                          'DifferentHostFilter', 'HeadroomFilter',
                          'DrainingHostFilter'],
                         self.scheduler_conf().enabled_filters)

    def test_post_config_twice_adds_nothing_twice(self):
        self.full_stack()
        with open(self.nova_conf) as f:
            once = f.read()
        self.stack(('stack', 'post-config'))
        with open(self.nova_conf) as f:
            self.assertEqual(once, f.read())

    def test_every_enabled_filter_and_weigher_loads_in_nova(self):
        # What nova-scheduler does with the options at start-up: resolve
        # available_filters and weight_classes to classes and find every
        # enabled filter among them.
        from nova.scheduler import filters
        from nova.scheduler import weights

        self.full_stack()
        fs = self.scheduler_conf()
        available = {c.__name__ for c in filters.HostFilterHandler()
                     .get_matching_classes(fs.available_filters)}
        self.assertEqual([], [f for f in fs.enabled_filters
                              if f not in available])
        weighers = {c.__name__ for c in weights.HostWeightHandler()
                    .get_matching_classes(fs.weight_classes)}
        self.assertIn('BalancedUtilizationWeigher', weighers)
        self.assertIn('RAMWeigher', weighers)

    def test_cost_model_is_the_same_in_both_files(self):
        self.full_stack(NOVA_LB_MEMORY_MB_CEILING='0.9',
                        NOVA_LB_RESOURCE_WEIGHTS='VCPU:2,MEMORY_MB:1')
        for path in (self.nova_conf,
                     os.path.join(self.conf_dir, 'nova-lb.conf')):
            conf = cfg.ConfigOpts()
            nova_lb.conf.register_opts(conf)
            conf([], project='nova-lb', default_config_files=[path])
            settings = cost_settings.load(conf)
            self.assertEqual(
                {'VCPU': 1.0, 'MEMORY_MB': 0.9, 'DISK_GB': 1.0},
                settings.ceilings, path)
            self.assertEqual(
                cost.CostModel.build({'VCPU': 2.0, 'MEMORY_MB': 1.0}, 1.0),
                settings.cost, path)

    def nova_lb_conf(self):
        """nova-lb.conf read with nova-lb's own options, as the daemon does."""
        conf = cfg.ConfigOpts()
        nova_lb.conf.register_opts(conf)
        conf([], project='nova-lb', default_config_files=[
            os.path.join(self.conf_dir, 'nova-lb.conf')])
        return conf

    def test_rebalancer_conf_defaults(self):
        self.full_stack()
        rebalancer = self.nova_lb_conf().rebalancer
        self.assertEqual('devstack-admin', rebalancer.cloud)
        self.assertEqual('manual', rebalancer.automation)
        self.assertEqual(600, rebalancer.interval)
        self.assertTrue(os.path.isdir(rebalancer.state_dir))

    def test_local_conf_chooses_automatic(self):
        self.full_stack(NOVA_LB_AUTOMATION='automatic', NOVA_LB_INTERVAL='60')
        rebalancer = self.nova_lb_conf().rebalancer
        self.assertEqual('automatic', rebalancer.automation)
        self.assertEqual(60, rebalancer.interval)

    def test_install_start_and_stop(self):
        self.full_stack()
        self.stack(('unstack',))
        conf = os.path.join(self.conf_dir, 'nova-lb.conf')
        self.assertEqual(
            [('setup_develop', REPO),
             ('run_process', 'nova-lb-rebalancer',
              '%s/nova-lb-rebalancer --config-file %s'
              % (self.bin_dir, conf)),
             ('stop_process', 'nova-lb-rebalancer')],
            self.recorded())

    def test_clean_removes_config_and_state(self):
        self.full_stack()
        state_dir = self.nova_lb_conf().rebalancer.state_dir
        self.stack(('clean',))
        self.assertFalse(os.path.exists(self.conf_dir))
        self.assertFalse(os.path.exists(state_dir))

    def test_scheduler_only(self):
        # local.conf: disable_service nova-lb-rebalancer
        self.full_stack(DISABLED_SERVICES='nova-lb-rebalancer')
        self.assertEqual([('setup_develop', REPO)], self.recorded())
        self.assertIn('HeadroomFilter', self.scheduler_conf().enabled_filters)
        self.assertFalse(os.path.exists(self.conf_dir))

    def test_disabled_plugin_does_nothing(self):
        self.full_stack(DISABLED_SERVICES='nova-lb,nova-lb-rebalancer')
        self.assertEqual([], self.recorded())
        with open(self.nova_conf) as f:
            self.assertEqual(DEVSTACK_NOVA_CONF, f.read())


class ShellcheckTest(unittest.TestCase):

    def test_plugin_scripts_pass_shellcheck(self):
        shellcheck = shutil.which('shellcheck')
        self.assertIsNotNone(
            shellcheck, 'shellcheck is not installed: run tools/bootstrap '
                        'as root, or apt-get install shellcheck')
        result = subprocess.run(
            [shellcheck, '--shell=bash', PLUGIN, SETTINGS,
             os.path.join(DOUBLES, 'functions')],
            capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
