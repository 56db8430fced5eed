"""The systemd units start the console script, hardened."""

import configparser
import os
import shutil
import subprocess

import fixtures
import testtools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
UNITS = os.path.join(ROOT, 'etc', 'systemd')
SCRIPT = '/usr/bin/nova-lb-rebalancer'
HARDENING = {'NoNewPrivileges': 'yes', 'ProtectSystem': 'strict',
             'ProtectHome': 'yes', 'PrivateTmp': 'yes',
             'PrivateDevices': 'yes', 'StateDirectory': 'nova-lb',
             'ReadWritePaths': '/var/lib/nova-lb'}


def _unit(name):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(os.path.join(UNITS, name))
    return parser


class UnitsTest(testtools.TestCase):

    def test_daemon(self):
        service = _unit('nova-lb-rebalancer.service')['Service']
        self.assertEqual(SCRIPT + ' --config-file /etc/nova-lb/nova-lb.conf',
                         service['ExecStart'])
        self.assertEqual('simple', service['Type'])
        self.assertEqual('SIGTERM', service['KillSignal'])

    def test_once_and_timer(self):
        service = _unit('nova-lb-rebalancer-once.service')['Service']
        self.assertEqual(SCRIPT + ' --once --config-file '
                         '/etc/nova-lb/nova-lb.conf', service['ExecStart'])
        self.assertEqual('oneshot', service['Type'])
        self.assertEqual('infinity', service['TimeoutStartSec'])
        timer = _unit('nova-lb-rebalancer.timer')['Timer']
        self.assertEqual('nova-lb-rebalancer-once.service', timer['Unit'])

    def test_hardening(self):
        for name in ('nova-lb-rebalancer.service',
                     'nova-lb-rebalancer-once.service'):
            service = _unit(name)['Service']
            for key, value in HARDENING.items():
                self.assertEqual(value, service.get(key), '%s %s'
                                 % (name, key))

    def test_script_is_a_console_script(self):
        with open(os.path.join(ROOT, 'setup.cfg')) as f:
            self.assertIn('nova-lb-rebalancer = nova_lb.cmd.rebalancer:main',
                          f.read())

    def test_systemd_analyze_verify(self):
        analyze = shutil.which('systemd-analyze')
        script = shutil.which('nova-lb-rebalancer') or os.path.join(
            ROOT, '.venv', 'bin', 'nova-lb-rebalancer')
        if not analyze or not os.path.exists(script):
            self.skipTest('systemd-analyze or the installed script missing')
        tmp = self.useFixture(fixtures.TempDir()).path
        names = sorted(os.listdir(UNITS))
        for name in names:
            with open(os.path.join(UNITS, name)) as f:
                text = f.read().replace(SCRIPT, script)
            with open(os.path.join(tmp, name), 'w') as f:
                f.write(text)
        proc = subprocess.run(
            [analyze, 'verify'] + [os.path.join(tmp, n) for n in names],
            capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('', proc.stderr.strip())
