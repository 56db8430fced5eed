"""Rebalancing, apply and drain end to end in the in-process cloud.

Everything real: the collector reads Nova and Placement through
openstacksdk, the planner solves, the executor live-migrates through the
API with nova-scheduler (and nova-lb's DrainingHostFilter) vetting every
destination, and the fake-driver computes move the servers.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

import collections
import json
import os
import time

import fixtures
from nova.virt import fake as fake_virt
from oslo_config import cfg

import nova_lb.conf
from nova_lb.conf import executor as executor_conf
from nova_lb import exception
from nova_lb.cloud import executor_api
from nova_lb.model import cost
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import lock
from nova_lb.rebalancer import state as state_mod

SMALL = dict(vcpus=2, memory_mb=2048, disk_gb=20)
AGGREGATE = 'nova-lb-draining'


class RebalancerTestCase(base.NovaLBTestCase):

    use_nova_lb_plugin = True
    enabled_filters = ['ComputeFilter', 'ComputeCapabilitiesFilter',
                       'ImagePropertiesFilter',
                       'ServerGroupAntiAffinityFilter',
                       'ServerGroupAffinityFilter', 'DrainingHostFilter']

    def setUp(self):
        super().setUp()
        self.state_dir = self.useFixture(fixtures.TempDir()).path

    def rebalancer_conf(self, **rebalancer):
        """A nova-lb.conf of its own, as the console scripts read it.

        (Overrides would not do: oslo.config shares them between
        ConfigOpts objects that register the same option group.)
        """
        sections = {
            'rebalancer': dict(dict(state_dir=self.state_dir), **rebalancer),
            'executor': dict(poll_interval=0.2, api_retry_delay=0.05,
                             max_parallel_migrations=2),
            'solver': dict(time_limit=5.0),
        }
        path = self.useFixture(fixtures.TempDir()).join('nova-lb.conf')
        with open(path, 'w') as f:
            for group, values in sections.items():
                f.write('[%s]\n' % group)
                f.writelines('%s = %s\n' % item for item in values.items())
        conf = cfg.ConfigOpts()
        nova_lb.conf.register_opts(conf)
        conf(['--config-file', path], project='nova-lb',
             default_config_files=[])
        return conf

    def read_state(self, name):
        with open(os.path.join(self.state_dir, name)) as f:
            return json.load(f)

    def peaks(self):
        """Highest utilisation per resource class, from Placement."""
        util = collections.defaultdict(list)
        for host in self.hosts:
            inventories, usages = self.provider_state(host.name)
            for rc, inv in inventories.items():
                cap = cost.capacity(inv['total'], inv['reserved'],
                                    inv['allocation_ratio'])
                util[rc].append(usages.get(rc, 0) / cap)
        return {rc: max(values) for rc, values in util.items()}

    def live_migrations(self):
        return [m for m in self.admin_api.api_get('/os-migrations').body[
            'migrations'] if m['migration_type'] == 'live-migration']

    def assert_consistent(self):
        self.assert_servers_active()
        self.assert_usages_match_servers()
        self.assert_within_capacity()


class RebalanceTest(RebalancerTestCase):

    def test_manual_publishes_then_apply_executes_then_stale_refused(self):
        self.boot_skewed({'host1': 4}, **SMALL)
        before = self.peaks()
        # --dry-run moves nothing even in automatic mode.
        summary = flow.rebalance(
            self.rebalancer_conf(automation='automatic'), conn=self.sdk,
            dry_run=True)
        self.assertIn('dry run: plan published', summary['reason'])
        conf = self.rebalancer_conf()

        summary = flow.rebalance(conf, conn=self.sdk)

        # automation = manual (the default): a plan, and nothing moved.
        self.assertIn('automation = manual', summary['reason'])
        self.assertEqual([], self.live_migrations())
        path = os.path.join(self.state_dir, state_mod.PLAN)
        document, plan = flow.load_plan(path)
        self.assertGreater(len(plan.migrations), 0)
        self.assertEqual(summary, self.read_state(state_mod.LAST_RUN))

        summary = flow.apply(conf, document, plan, conn=self.sdk)

        self.assertEqual((len(plan.migrations), 0, 0),
                         (summary['done'], summary['failed'],
                          summary['skipped']))
        self.assertEqual(len(plan.migrations), len(self.live_migrations()))
        after = self.peaks()
        self.assertLess(after['VCPU'], before['VCPU'])
        self.assert_consistent()

        # The same plan again: its servers are no longer on its sources.
        e = self.assertRaises(exception.StalePlan, flow.apply, conf,
                              document, plan, conn=self.sdk)
        self.assertIn('the plan no longer fits the cloud, nothing moved',
                      str(e))
        self.assertIn(plan.migrations[0].server, str(e))
        self.assertEqual(len(plan.migrations), len(self.live_migrations()))

    def test_automatic_runs_balance_with_cooldown_and_metrics(self):
        servers = self.boot_skewed({'host1': 4, 'host3': 1}, **SMALL)
        before = self.peaks()
        metrics = os.path.join(self.state_dir, 'nova_lb.prom')
        conf = self.rebalancer_conf(automation='automatic',
                                    metrics_file=metrics)
        rebalancer = daemon.Daemon(conf, conn=self.sdk)

        summary = rebalancer.run_once()

        self.assertGreater(summary['done'], 0)
        self.assertEqual((summary['planned'], 0),
                         (summary['done'], summary['failed']))
        self.assertEqual((4, 5), (summary['hosts'], summary['servers']))
        self.assertLess(self.peaks()['VCPU'], before['VCPU'])
        self.assert_consistent()
        self.assertIn('rebalance run done: 4 hosts, 5 servers, plan %d '
                      'moves in ' % summary['planned'],
                      self.stdlog.logger.output)
        with open(metrics) as f:
            text = f.read()
        self.assertIn('nova_lb_rebalancer_moves_done %s'
                      % float(summary['done']), text)
        moved = set(self.read_state(state_mod.MOVED))
        self.assertEqual(summary['done'], len(moved))

        # The next run spares the servers it just moved.
        rebalancer.run_once()
        plan = self.read_state(state_mod.PLAN)
        for server in moved:
            self.assertIn('moved recently', plan['left_alone'][server])
        per_server = collections.Counter(
            m['instance_uuid'] for m in self.live_migrations())
        self.assertEqual({1}, set(per_server.values()))
        self.assertLessEqual(set(per_server), {s['id'] for s in servers})
        self.assert_consistent()


class ExclusionTest(RebalancerTestCase):

    def test_no_run_while_locked_or_while_a_migration_is_in_flight(self):
        server, = self.boot_skewed({'host1': 1}, **SMALL)
        conf = self.rebalancer_conf(automation='automatic')

        # A second rebalancer (or apply, or drain) is refused at once.
        with lock.FileLock(os.path.join(self.state_dir,
                                        lock.LOCK_NAME + '.lock')):
            e = self.assertRaises(exception.RebalancerBusy, flow.rebalance,
                                  conf, conn=self.sdk)
        self.assertIn('another rebalancer is running', str(e))

        # An admin's live migration is running (the fake driver copies for
        # up to 5 s): the run is skipped, whoever started it.
        for name in ('live_migration', 'live_migration_abort'):
            self.useFixture(fixtures.MonkeyPatch(
                'nova.virt.fake.MediumFakeDriver.' + name,
                getattr(fake_virt.FakeLiveMigrateDriver, name)))
        self.admin_api.post_server_action(server['id'], {
            'os-migrateLive': {'host': 'host4', 'block_migration': 'auto'}})
        self._wait_for_migration_status(server, ['running'])

        summary = flow.rebalance(conf, conn=self.sdk)

        self.assertIn('1 live migrations in flight (e.g. server %s)'
                      % server['id'], summary['reason'])
        self.assertNotIn('planned', summary)
        self.wait_for_migration_done(server['id'])
        self.assert_consistent()


class DrainTest(RebalancerTestCase):

    def test_drain_empties_host_and_boots_avoid_it_until_undrain(self):
        on_host2 = self.boot_skewed({'host2': 3}, **SMALL)
        self.boot_skewed({'host4': 1}, **SMALL)
        conf = self.rebalancer_conf()
        # A server in its cooldown must leave a draining host all the same.
        state_mod.State(self.state_dir).record_move(
            on_host2[0]['id'], time.time(), 86400)
        e = self.assertRaises(exception.UnknownHost, flow.drain, conf,
                              'nohost', AGGREGATE, conn=self.sdk)
        self.assertEqual('no nova-compute service on host nohost', str(e))

        summary = flow.drain(conf, 'host2', AGGREGATE, conn=self.sdk)

        self.assertEqual((3, 0, []), (summary['done'], summary['failed'],
                                      summary['left_on_host']))
        self.assertEqual([], [s['id'] for s in self.servers()
                              if s['OS-EXT-SRV-ATTR:host'] == 'host2'])
        self.assert_consistent()
        # nova-scheduler's DrainingHostFilter keeps new servers away, even
        # an admin's request for that very host.
        refused = self._create_server(
            flavor_id=self.flavor(**SMALL), networks='none', host='host2',
            expected_state='ERROR')
        self._delete_server(refused)
        self._wait_until_deleted(refused)

        cloud = executor_api.ExecutorApi.configured(self.sdk,
                                           executor_conf.load(conf))
        self.assertEqual('host2 removed from the draining aggregate %s'
                         % AGGREGATE, flow.undrain(cloud, 'host2',
                                                   AGGREGATE))
        self.boot_on('host2', **SMALL)
        self.assert_consistent()
