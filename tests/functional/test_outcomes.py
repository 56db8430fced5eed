"""One meaning of a run's outcome: the exit code, ``last-run.json``,
``nova-lb status`` and the metrics file agree, for each outcome, on the
in-process cloud (real Nova, Placement and live migrations)."""

from tests.functional import base  # isort:skip  (patches eventlet first)

import os

import fixtures

from nova_lb.cmd.commands import status
from nova_lb import exception
from nova_lb.planner import plan as plan_mod
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import outcome
from nova_lb.rebalancer import state as state_mod
from tests.functional import test_rebalancer

SMALL = test_rebalancer.SMALL


class OutcomeTest(test_rebalancer.RebalancerTestCase):

    def setUp(self):
        super().setUp()
        self.metrics = os.path.join(self.state_dir, 'nova_lb.prom')

    def conf(self, **rebalancer):
        return self.rebalancer_conf(metrics_file=self.metrics, **rebalancer)

    def assert_reported(self, name, summary=None):
        """Every report of the last run says ``name``; returns the
        summary from last-run.json."""
        last = self.read_state(state_mod.LAST_RUN)
        if summary is not None:
            self.assertEqual(summary, last)
        expected = outcome.BY_NAME[name]
        self.assertEqual((name, expected.success),
                         (last['outcome'], last['success']))
        self.assertEqual(expected.exit_code, outcome.exit_code(last))
        self.assertIn(': %s%s' % (name, '' if expected.success
                                  else ' (needs an admin)'),
                      status.describe_run(last)[0])
        with open(self.metrics) as f:
            text = f.read()
        self.assertIn('nova_lb_rebalancer_last_run_success %s\n'
                      % float(expected.success), text)
        for other in outcome.ALL:
            self.assertIn('nova_lb_rebalancer_last_run_outcome{outcome="%s"}'
                          ' %s\n' % (other.name, float(other is expected)),
                          text)
        return last

    def fail_incoming_migrations(self, *hosts):
        for host in hosts:
            self.useFixture(fixtures.MockPatchObject(
                self.computes[host].driver, 'pre_live_migration',
                side_effect=RuntimeError('disk full')))

    def test_done_measured_not_predicted(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        summary = daemon.Daemon(self.conf(automation='automatic'),
                                conn=self.sdk).run_once()
        last = self.assert_reported('done', summary)
        self.assertEqual((last['planned'], 0), (last['done'],
                                                last['failed']))
        # 'after' is Placement's usage now, not the plan's figure.
        self.assertAlmostEqual(self.peaks()['VCPU'],
                               last['after']['VCPU']['peak'])
        self.assertIn('predicted_after', last)
        self.assert_consistent()

    def test_all_failed(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        self.fail_incoming_migrations('host2', 'host3', 'host4')
        summary = daemon.Daemon(self.conf(automation='automatic'),
                                conn=self.sdk).run_once()
        last = self.assert_reported('all failed', summary)
        self.assertEqual(0, last['done'])
        self.assertGreater(last['failed'], 0)
        # Nothing moved: the measured peak did not change.
        self.assertEqual(last['before'], last['after'])
        self.assert_consistent()

    def test_partly_failed(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        self.fail_incoming_migrations('host4')
        summary = daemon.Daemon(self.conf(automation='automatic'),
                                conn=self.sdk).run_once()
        last = self.assert_reported('partly failed', summary)
        self.assertGreater(last['done'], 0)
        self.assertGreater(last['failed'], 0)
        self.assertRegex(last['reason'], r'^\d+ of \d+ moves started failed')
        self.assert_consistent()

    def test_aborted_when_placement_keeps_failing(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        # Placement answers 500 to every provider list (retried, then the
        # run gives up with one line naming the call).
        self.useFixture(fixtures.MockPatch(
            'placement.objects.resource_provider.get_all_by_filters',
            side_effect=RuntimeError('database went away')))
        e = self.assertRaises(
            exception.CloudUnavailable, daemon.Daemon(
                self.conf(automation='automatic'), conn=self.sdk).run_once)
        self.assertIn('placement GET /resource_providers failed', str(e))
        last = self.assert_reported('aborted')
        self.assertEqual(' '.join(str(e).split()), last['reason'])
        self.assertEqual([], self.live_migrations())

    def test_refused_stale_plan_then_skipped_dry_run(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        summary = flow.rebalance(self.conf(), conn=self.sdk, dry_run=True)
        self.assert_reported('skipped', summary)
        self.assertIn('dry run', summary['reason'])
        document, plan = flow.load_plan(os.path.join(self.state_dir,
                                                     state_mod.PLAN))
        # An admin moves one of the plan's servers elsewhere first.
        first = plan.migrations[0]
        self._live_migrate({'id': first.server}, 'completed')
        self.assertRaises(exception.StalePlan, flow.apply, self.conf(),
                          document, plan, conn=self.sdk)
        last = self.assert_reported('refused')
        self.assertIn('nothing moved', last['reason'])
        self.assertEqual(1, len(self.live_migrations()))
        self.assert_consistent()

    def test_plan_that_no_longer_helps_is_refused_with_figures(self):
        a, b, _, _ = self.boot_skewed({'host1': 4}, vcpus=1,
                                      memory_mb=3072, disk_gb=1)
        elsewhere = self.boot_skewed({'host4': 5}, vcpus=3,
                                     memory_mb=3072, disk_gb=1)
        # The plan an admin reviewed while host1 (77 % of its memory) was
        # the fullest host: two servers to host2.
        plan = plan_mod.Plan(migrations=(
            plan_mod.Migration(a['id'], 'host1', 'host2', 0),
            plan_mod.Migration(b['id'], 'host1', 'host2', 1)),
            before={}, after={})
        # Meanwhile an admin moves host4's servers to host3, which becomes
        # the fullest host (97 %): the plan's moves lower the peak no more.
        for server in elsewhere:
            self._live_migrate(server, 'completed', host='host3')
        e = self.assertRaises(exception.StalePlan, flow.apply, self.conf(),
                              plan.to_json(), plan, conn=self.sdk)
        self.assertIn('the plan no longer improves the cloud enough, '
                      'nothing moved', str(e))
        self.assertRegex(str(e), r'from \d+\.\d% to \d+\.\d% \(best '
                         r'gain in a zone \d+\.\d%, \[solver\] deadband '
                         r'2\.0%\)')
        last = self.assert_reported('refused')
        self.assertEqual(' '.join(str(e).split()), last['reason'])
        self.assertEqual(len(elsewhere), len(self.live_migrations()))
        self.assert_consistent()

    def opted_out(self, host, count, **size):
        servers = self.boot_skewed({host: count}, **size)
        for server in servers:
            self.admin_api.post_server_metadata(
                server['id'], {'nova_lb:movable': 'false'})
        return servers

    def test_apply_executes_only_the_moves_still_needed(self):
        # host3 holds load no plan moves (25.8 % of its memory, half its
        # disk): no plan gets the peaks below that. host1 holds 4 movable
        # servers and 2 that are not (77.4 % of its memory).
        self.opted_out('host3', 2, vcpus=4, memory_mb=2048, disk_gb=100)
        pinned = self.opted_out('host1', 2, **SMALL)
        self.boot_skewed({'host1': 4}, **SMALL)
        flow.rebalance(self.conf(), conn=self.sdk, dry_run=True)
        document, plan = flow.load_plan(os.path.join(self.state_dir,
                                                     state_mod.PLAN))
        # The reviewed plan empties host1 of its 4 movable servers.
        self.assertEqual({('host1', 4)}, {
            (m.source, len(plan.migrations)) for m in plan.migrations})
        # Meanwhile an admin moves host1's 2 other servers away: it is at
        # 51.6 %, and 2 of the plan's moves get it to host3's 25.8 %.
        for server in pinned:
            self._live_migrate(server, 'completed', host='host4')

        summary = flow.apply(self.conf(), document, plan, conn=self.sdk)

        last = self.assert_reported('done', summary)
        self.assertEqual((2, 0), (last['done'], last['failed']))
        self.assertEqual(2, len(last['dropped']))
        for why in last['dropped'].values():
            self.assertIn('its purpose vanished', why)
        done = {m['server'] for m in last['moves'] if m['result'] == 'done'}
        self.assertEqual(set(), done & set(last['dropped']))
        self.assertEqual(4, len(self.live_migrations()))
        published = self.read_state(state_mod.PLAN)
        self.assertEqual(done, {m['server'] for m in published['migrations']})
        # What the run reports as measured is what Placement shows, and is
        # what the kept moves were predicted to reach.
        peaks = self.peaks()
        for rc, stats in last['after'].items():
            self.assertAlmostEqual(peaks[rc], stats['peak'])
            self.assertAlmostEqual(last['predicted_after'][rc]['peak'],
                                   stats['peak'])
        self.assertAlmostEqual(4096 / 15872, peaks['MEMORY_MB'])
        self.assertAlmostEqual(8192 / 15872,
                               last['before']['MEMORY_MB']['peak'])
        self.assert_consistent()
