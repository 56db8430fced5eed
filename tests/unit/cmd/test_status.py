"""``nova-lb status`` reads what a run left in the state directory."""

import io
import json
import os
import subprocess
import sys
from unittest import mock

import fixtures
import testtools

from nova_lb.cmd import admin
from nova_lb.rebalancer import state as state_mod

SUMMARY = {'kind': 'rebalance', 'ended_at': 1700000000.0, 'duration': 42.5,
           'outcome': 'partly failed', 'success': 0,
           'reason': '1 of 2 moves started failed', 'hosts': 4,
           'servers': 12, 'planned': 2,
           'done': 1, 'failed': 1, 'skipped': 0, 'not_started': 0,
           'before': {'VCPU': {'peak': 0.9, 'mean': 0.5, 'stddev': 0.3}},
           'after': {'VCPU': {'peak': 0.7, 'mean': 0.5, 'stddev': 0.2}},
           'predicted_after': {'VCPU': {'peak': 0.55, 'mean': 0.5,
                                        'stddev': 0.05}}}
PLAN = {'format': 'nova-lb-plan/1',
        'migrations': [{'server': 's1', 'source': 'host1',
                        'destination': 'host2', 'wave': 0},
                       {'server': 's2', 'source': 'host1',
                        'destination': 'host3', 'wave': 1}],
        'before': {'VCPU': {'peak': 0.9, 'mean': 0.5, 'stddev': 0.3}},
        'after': {'VCPU': {'peak': 0.55, 'mean': 0.5, 'stddev': 0.05}}}


class StatusTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir())
        self.state = state_mod.State(tmp.join('state'))
        self.config = tmp.join('nova-lb.conf')
        with open(self.config, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n' % self.state.dir)

    def _status(self, *args):
        out = io.StringIO()
        with mock.patch('sys.stdout', out):
            code = admin.main(['--config-file', self.config, 'status']
                                + list(args))
        self.assertEqual(0, code)
        return out.getvalue()

    def test_nothing_yet(self):
        self.assertEqual('Last run: none yet\n\nCurrent plan: none yet\n',
                         self._status())

    def test_last_run_and_plan(self):
        self.state.write(state_mod.LAST_RUN, SUMMARY)
        self.state.write(state_mod.PLAN, PLAN)
        self.assertEqual(
            'Last run: rebalance, ended 2023-11-14 22:13:20 UTC after '
            '42.5s: partly failed (needs an admin)\n'
            '  reason: 1 of 2 moves started failed\n'
            '  4 hosts, 12 servers\n'
            '  moves: 1 done, 1 failed, 0 skipped, 0 not started\n'
            '  VCPU       peak 90.0% -> 70.0% measured (plan predicted '
            '55.0%)\n'
            '\n'
            'Current plan: 2 migrations in 2 waves\n'
            '  VCPU       peak 90.0% -> 55.0%, stddev 30.0% -> 5.0%\n'
            '  wave 0: s1 host1 -> host2\n'
            '  wave 1: s2 host1 -> host3\n', self._status())

    def test_moves_dropped_from_a_reviewed_plan(self):
        self.state.write(state_mod.LAST_RUN, dict(
            SUMMARY, kind='apply', dropped={'s3': 'its purpose vanished'}))
        self.assertIn('  moves: 1 done, 1 failed, 0 skipped, 0 not started\n'
                      '  dropped from the reviewed plan: server s3: its '
                      'purpose vanished\n', self._status())

    def test_failed_run_and_json(self):
        failed = {'kind': 'drain host2', 'ended_at': 1700000000.0,
                  'duration': 0.5, 'outcome': 'aborted', 'success': 0,
                  'reason': 'cannot connect to cloud'}
        self.state.write(state_mod.LAST_RUN, failed)
        self.assertIn('aborted (needs an admin)\n'
                      '  reason: cannot connect to cloud\n', self._status())
        self.assertEqual({'last_run': failed, 'plan': None, 'problems': []},
                         json.loads(self._status('--json')))

    def test_churn_policy_and_imbalance_score(self):
        held = dict(SUMMARY, held_by=['hold_runs', 'allowed_hours'],
                    held='hold_runs: moves found by 1 of the 3 consecutive '
                         'runs needed; allowed_hours: 14:02 UTC is outside '
                         '01:00-05:00',
                    kept_by_policy={'min_gain': 2, 'ping-pong': 1},
                    migrations_last_day=7, imbalance_before=0.612,
                    imbalance_after=0.204)
        plan = dict(PLAN, imbalance={'before': 0.612, 'after': 0.204})
        plan['before'] = {'VCPU': dict(PLAN['before']['VCPU'],
                                       imbalance=0.6)}
        plan['after'] = {'VCPU': dict(PLAN['after']['VCPU'], imbalance=0.1)}
        self.state.write(state_mod.LAST_RUN, held)
        self.state.write(state_mod.PLAN, plan)
        text = self._status()
        self.assertIn(
            '  held back by hold_runs, allowed_hours: hold_runs: moves found '
            'by 1 of the 3 consecutive runs needed; allowed_hours: 14:02 UTC '
            'is outside 01:00-05:00\n'
            '  servers kept in place by min_gain (2), ping-pong (1)\n'
            '  7 migrations in the last 24 h\n'
            '  imbalance score 0.61 -> 0.20\n', text)
        self.assertIn('  imbalance score (0 balanced - 1): cloud 0.61 -> '
                      '0.20, VCPU 0.60 -> 0.10\n', text)


class StatusPipeTest(testtools.TestCase):
    """``nova-lb status | head -1``: a real pipe whose reader leaves."""

    def test_reader_gone_is_no_traceback(self):
        tmp = self.useFixture(fixtures.TempDir())
        state = state_mod.State(tmp.join('state'))
        state.write(state_mod.PLAN, dict(PLAN, migrations=[
            dict(PLAN['migrations'][0], server='s%d' % i)
            for i in range(20000)]))
        config = tmp.join('nova-lb.conf')
        with open(config, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n' % state.dir)
        proc = subprocess.run(
            'set -o pipefail; %s -m nova_lb.cmd.admin --config-file %s '
            'status | head -1' % (sys.executable, config),
            shell=True, executable='/bin/bash', capture_output=True,
            text=True, timeout=60, env=_buffered_env())
        self.assertEqual('Last run: none yet\n', proc.stdout)
        self.assertEqual('', proc.stderr)
        self.assertEqual(1, proc.returncode)


def _buffered_env():
    """The environment without PYTHONUNBUFFERED: with it, Python's text
    layer writes straight to the pipe and ignores the short write that
    the reader's leaving causes, so the command never sees EPIPE."""
    env = dict(os.environ)
    env.pop('PYTHONUNBUFFERED', None)
    return env
