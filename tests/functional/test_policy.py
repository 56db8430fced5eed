"""The churn policy binding on real runs in the in-process cloud.

Each test makes one ``[rebalancer]`` policy hold a run back or keep a
server in place, and checks that the summary and ``nova-lb status`` say
which; the daily budget is also shown to survive a restart.
"""

from tests.functional import test_rebalancer  # isort:skip  (eventlet first)

import contextlib
import io
import json
import os
import time

from nova_lb.cmd import admin
from nova_lb.conf import executor as executor_conf
from nova_lb.cloud import executor_api
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import policy
from nova_lb.rebalancer import state as state_mod

SMALL = test_rebalancer.SMALL


class ChurnPolicyTest(test_rebalancer.RebalancerTestCase):

    def automatic(self, **options):
        return self.rebalancer_conf(automation='automatic', **options)

    def status(self, conf):
        """What ``nova-lb status`` prints for ``conf``'s state_dir."""
        path = self.useFixture(
            test_rebalancer.fixtures.TempDir()).join('status.conf')
        with open(path, 'w') as f:
            f.write('[rebalancer]\nstate_dir = %s\n' % self.state_dir)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(0, admin.main(['--config-file', path,
                                                  'status']))
        return out.getvalue()

    def test_hold_runs_waits_for_consecutive_imbalanced_runs(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        conf = self.automatic(hold_runs=2)

        summary = flow.rebalance(conf, conn=self.sdk)

        self.assertEqual(['hold_runs'], summary['held_by'])
        self.assertGreater(summary['planned'], 0)
        self.assertNotIn('done', summary)
        self.assertEqual([], self.live_migrations())
        self.assertIn('held back by hold_runs: hold_runs: moves found by 1 '
                      'of the 2 consecutive runs needed', self.status(conf))
        self.assertIn('skipped (held back by the churn policy: hold_runs: '
                      'moves found by 1 of the 2',
                      self.stdlog.logger.output)

        summary = flow.rebalance(conf, conn=self.sdk)

        self.assertNotIn('held_by', summary)
        self.assertEqual((summary['planned'], 0),
                         (summary['done'], summary['failed']))
        self.assertGreater(summary['done'], 0)
        self.assert_consistent()

    def test_daily_budget_binds_and_survives_a_restart(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        metrics = os.path.join(self.state_dir, 'nova_lb.prom')
        conf = self.automatic(max_migrations_per_day=1, cooldown=0,
                              metrics_file=metrics)

        summary = daemon.Daemon(conf, conn=self.sdk).run_once()

        # The plan got what the budget allows: one migration.
        self.assertEqual((1, 1), (summary['planned'], summary['done']))
        self.assertEqual(1, summary['migrations_last_day'])
        ledger = self.read_state(policy.LEDGER)
        self.assertEqual(1, len(ledger['moves']))

        # A new rebalancer process (same state_dir) finds the budget spent.
        summary = daemon.Daemon(self.automatic(
            max_migrations_per_day=1, cooldown=0, metrics_file=metrics),
            conn=self.sdk).run_once()

        self.assertEqual(['max_migrations_per_day'], summary['held_by'])
        self.assertIn('0 of the 1 allowed in 24 h left', summary['held'])
        self.assertEqual(1, len(self.live_migrations()))
        self.assertIn('held back by max_migrations_per_day',
                      self.status(conf))
        with open(metrics) as f:
            text = f.read()
        self.assertIn('nova_lb_rebalancer_held_back{policy='
                      '"max_migrations_per_day"} 1.0', text)
        self.assertIn('nova_lb_rebalancer_held_back{policy="hold_runs"} '
                      '0.0', text)
        self.assertIn('nova_lb_rebalancer_migrations_last_day 1.0', text)
        self.assert_consistent()

    def test_allowed_hours_hold_moves_outside_the_window(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        hour = time.localtime().tm_hour
        window = '%02d:00-%02d:00' % ((hour + 2) % 24, (hour + 3) % 24)
        conf = self.automatic(allowed_hours=window)

        summary = flow.rebalance(conf, conn=self.sdk)

        self.assertEqual(['allowed_hours'], summary['held_by'])
        self.assertIn('is outside %s' % window, summary['held'])
        self.assertEqual([], self.live_migrations())
        # The plan is still published for review.
        self.assertTrue(self.read_state(state_mod.PLAN)['migrations'])
        self.assertIn('held back by allowed_hours', self.status(conf))

    def test_min_gain_keeps_servers_whose_move_buys_too_little(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        unjudged = flow.rebalance(self.rebalancer_conf(), conn=self.sdk)
        gains = [m['gain'] for m in
                 self.read_state(state_mod.PLAN)['migrations']]
        self.assertTrue(gains)
        self.assertNotIn('kept_by_policy', unjudged)
        conf = self.automatic(min_gain=round(max(gains) + 0.01, 3))

        summary = flow.rebalance(conf, conn=self.sdk)

        self.assertEqual(0, summary['planned'])
        self.assertGreaterEqual(summary['kept_by_policy']['min_gain'], 1)
        self.assertEqual([], self.live_migrations())
        left_alone = self.read_state(state_mod.PLAN)['left_alone']
        self.assertTrue([why for why in left_alone.values()
                         if why.startswith('min_gain: its move gains')])
        self.assertIn('servers kept in place by min_gain', self.status(conf))

    def host_of(self, server):
        return {s['id']: s['OS-EXT-SRV-ATTR:host']
                for s in self.servers()}[server['id']]

    def test_drain_sends_no_server_back_to_a_host_it_left(self):
        server = self.boot_on('host4', force=True, **SMALL)
        self.boot_skewed({'host2': 3, 'host3': 3}, **SMALL)
        conf = self.rebalancer_conf()
        # nova-lb moves the server off host4 as a drain; host4, now empty
        # and so the most attractive destination, then takes servers again.
        self.assertEqual([], flow.drain(conf, 'host4',
                                        test_rebalancer.AGGREGATE,
                                        conn=self.sdk)['left_on_host'])
        first = self.host_of(server)
        self.assertNotEqual('host4', first)
        flow.undrain(executor_api.ExecutorApi.configured(
            self.sdk, executor_conf.load(conf)), 'host4',
            test_rebalancer.AGGREGATE)

        summary = flow.drain(conf, first, test_rebalancer.AGGREGATE,
                             conn=self.sdk)

        self.assertEqual([], summary['left_on_host'])
        self.assertNotIn(self.host_of(server), (first, 'host4'))
        self.assertIn('Drain plan closed to host4: ping-pong: would go back '
                      'to host4', self.stdlog.logger.output)
        self.assert_consistent()
