"""The executor against real Nova faults, in the in-process cloud.

Each test drives real live migrations through openstacksdk and ends with
every server ACTIVE and Placement's usages exactly its servers'
allocations. Plans are written by hand here, so that each fault hits a
known move; the planner's own plans are exercised in test_rebalancer.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

import fixtures
from nova.api.openstack import common as nova_api_common
from nova.virt import fake as fake_virt

from nova_lb.conf import executor as executor_conf
from nova_lb import exception
from nova_lb.cloud import executor_api
from nova_lb.executor import executor as executor_mod
from nova_lb.executor import migration
from nova_lb.planner import plan as plan_mod

SMALL = dict(vcpus=2, memory_mb=2048, disk_gb=20)


def _settings(**overrides):
    values = dict(max_parallel=2, max_per_host=1, migration_timeout=60,
                  poll_interval=0.2, max_failures=3, api_retries=3,
                  api_retry_delay=0.05, api_connect_timeout=5,
                  api_read_timeout=30)
    values.update(overrides)
    return executor_conf.Settings(**values)


def _plan(*moves):
    """A plan of ``(server, source, destination, wave)`` tuples."""
    return plan_mod.Plan(migrations=tuple(plan_mod.Migration(*m)
                                          for m in moves),
                         before={}, after={})


class ExecutorFaultsTest(base.NovaLBTestCase):

    def executor(self, settings=None, **kwargs):
        settings = settings or _settings()
        cloud = executor_api.ExecutorApi.configured(self.sdk, settings)
        providers = {h.name: self.provider_uuid(h.name) for h in self.hosts}
        return executor_mod.Executor(cloud, settings, providers, **kwargs)

    def host_of(self, server):
        return self._show_server(server)['OS-EXT-SRV-ATTR:host']

    def live_migrations(self, server):
        return [m for m in self.admin_api.api_get('/os-migrations').body[
            'migrations'] if m['instance_uuid'] == server['id']
            and m['migration_type'] == 'live-migration']

    def assert_consistent(self):
        self.assert_servers_active()
        self.assert_usages_match_servers()
        self.assert_within_capacity()

    def test_compute_failures_counted_wave_goes_on_then_run_stops(self):
        a, b, c, d = self.boot_skewed({'host1': 4}, **SMALL)
        # The destination's compute fails every incoming migration.
        self.useFixture(fixtures.MockPatchObject(
            self.computes['host2'].driver, 'pre_live_migration',
            side_effect=RuntimeError('disk full')))

        report = self.executor(_settings(max_failures=2)).execute(_plan(
            (a['id'], 'host1', 'host2', 0), (b['id'], 'host1', 'host3', 0),
            (c['id'], 'host1', 'host2', 1), (d['id'], 'host1', 'host3', 2)))

        # a's failure does not stop its wave: b's assumptions still hold.
        # c's is the second failure: d never starts.
        results = {o.server: o.result for o in report.outcomes}
        self.assertEqual({a['id']: migration.FAILED,
                          b['id']: migration.DONE,
                          c['id']: migration.FAILED,
                          d['id']: executor_mod.NOT_STARTED}, results)
        self.assertEqual((1, 2), (report.done, report.failed))
        self.assertEqual('2 migrations failed', report.stopped)
        failure = next(o for o in report.outcomes if o.server == a['id'])
        self.assertRegex(failure.reason, r'^migration (error|failed): '
                         r'.*pre_live_migration on host2.* failed$')
        self.assertEqual(['host1', 'host3', 'host1', 'host1'],
                         [self.host_of(s) for s in (a, b, c, d)])
        self.assertEqual([], self.live_migrations(d))
        self.assert_consistent()

    def test_migration_that_never_finishes_is_aborted(self):
        server, = self.boot_skewed({'host1': 1}, **SMALL)
        # As Nova's own abort tests do: the source's driver copies memory
        # until it is told to abort (or gives up after 5 s and completes).
        driver = self.computes['host1'].driver
        for name in ('live_migration', 'live_migration_abort'):
            self.useFixture(fixtures.MonkeyPatch(
                'nova.virt.fake.MediumFakeDriver.' + name,
                getattr(fake_virt.FakeLiveMigrateDriver, name)))
        driver._migrating = driver._abort_migration = False

        report = self.executor(_settings(migration_timeout=1)).execute(
            _plan((server['id'], 'host1', 'host4', 0)))

        outcome, = report.outcomes
        self.assertEqual(migration.ABORTED, outcome.result)
        self.assertEqual('cancelled', self.live_migrations(server)[0][
            'status'])
        self.assertEqual('host1', self.host_of(server))
        self.assert_consistent()

    def test_api_errors_retried_then_given_up_cleanly(self):
        a, b = self.boot_skewed({'host1': 2}, **SMALL)
        real_get_instance = nova_api_common.get_instance
        failures = {'left': 2}

        def flaky_get_instance(*args, **kwargs):
            # Nova's fault wrapper turns this into a 500 for the caller.
            if failures['left']:
                failures['left'] -= 1
                raise RuntimeError('database went away')
            return real_get_instance(*args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.api.openstack.common.get_instance', flaky_get_instance))

        report = self.executor().execute(_plan(
            (a['id'], 'host1', 'host2', 0)))
        self.assertEqual(1, report.done)
        self.assertEqual(0, failures['left'])

        # Now the API stays broken: the run ends with one line, moving
        # nothing, and the cloud is left as it was.
        failures['left'] = 1000
        e = self.assertRaises(exception.CloudUnavailable,
                              self.executor().execute,
                              _plan((b['id'], 'host1', 'host3', 0)))
        self.assertIn('GET /servers/%s failed 4 times' % b['id'], str(e))
        self.assertNotIn('\n', str(e))
        failures['left'] = 0
        self.assertEqual([], self.live_migrations(b))
        self.assert_consistent()

    def test_cloud_changing_under_the_plan(self):
        a, b, c = self.boot_skewed({'host1': 3}, **SMALL)
        changes = {}

        def after_first_move(server_id):
            # Between the waves: b is deleted, and new boots fill host3
            # (16 vCPUs, 16 GiB), c's destination, so c no longer fits.
            self._delete_server(b)
            changes['fill'] = [self.boot_on('host3', vcpus=2,
                                            memory_mb=7168, disk_gb=20)
                               for _ in range(2)]

        report = self.executor(on_moved=after_first_move).execute(_plan(
            (a['id'], 'host1', 'host2', 0), (b['id'], 'host1', 'host4', 1),
            (c['id'], 'host1', 'host3', 1)))

        reasons = {o.server: (o.result, o.reason) for o in report.outcomes}
        self.assertEqual((migration.DONE, None), reasons[a['id']])
        self.assertEqual((executor_mod.SKIPPED, 'server is gone'),
                         reasons[b['id']])
        self.assertEqual(executor_mod.SKIPPED, reasons[c['id']][0])
        self.assertIn('host3 lacks MEMORY_MB', reasons[c['id']][1])
        self.assertEqual('host1', self.host_of(c))
        self.assert_consistent()

    def test_stopped_between_waves_and_restarted_repeats_no_move(self):
        a, b = self.boot_skewed({'host1': 2}, **SMALL)
        plan = _plan((a['id'], 'host1', 'host2', 0),
                     (b['id'], 'host1', 'host3', 1))
        moved = []

        # SIGTERM during wave 0: wave 0 finishes, wave 1 never starts.
        first = self.executor(should_stop=lambda: bool(moved),
                              on_moved=moved.append).execute(plan)
        self.assertEqual([migration.DONE, executor_mod.NOT_STARTED],
                         [o.result for o in first.outcomes])
        self.assertEqual('stop requested', first.stopped)

        # The restarted rebalancer carries the same plan out again.
        second = self.executor().execute(plan)
        self.assertEqual(
            [(a['id'], executor_mod.SKIPPED, 'server is already on host2'),
             (b['id'], migration.DONE, None)],
            [(o.server, o.result, o.reason) for o in second.outcomes])
        self.assertEqual(1, len(self.live_migrations(a)))
        self.assertEqual(('host2', 'host3'), (self.host_of(a),
                                              self.host_of(b)))
        self.assert_consistent()

    def test_owner_opts_out_after_the_plan(self):
        a, b = self.boot_skewed({'host1': 2}, **SMALL)

        def owner_opts_out(server_id):
            # While the run is going on, b's owner says "leave it".
            self.admin_api.post_server_metadata(
                b['id'], {'nova_lb:movable': 'false'})

        report = self.executor(on_moved=owner_opts_out).execute(_plan(
            (a['id'], 'host1', 'host2', 0), (b['id'], 'host1', 'host3', 1)))

        self.assertEqual(
            [(a['id'], migration.DONE, None),
             (b['id'], executor_mod.SKIPPED,
              'its owner set nova_lb:movable=false')],
            [(o.server, o.result, o.reason) for o in report.outcomes])
        self.assertEqual([], self.live_migrations(b))
        self.assertEqual('host1', self.host_of(b))
        self.assert_consistent()

    def test_concurrent_moves_to_one_host_count_each_other(self):
        # host3 (16 vCPUs, 16 GiB) takes one 7 GiB server, not two; with
        # two moves into it allowed at once, the second must see the
        # first before Placement does (the scheduler has not run yet).
        a, b = self.boot_skewed({'host1': 2}, vcpus=2, memory_mb=7168,
                                disk_gb=20)
        self.boot_on('host3', vcpus=2, memory_mb=7168, disk_gb=20)
        settings = _settings(max_per_host=2)
        report = self.executor(settings).execute(_plan(
            (a['id'], 'host1', 'host3', 0), (b['id'], 'host1', 'host3', 0)))

        results = {o.server: (o.result, o.reason) for o in report.outcomes}
        self.assertEqual(migration.DONE, results[a['id']][0])
        self.assertEqual(executor_mod.SKIPPED, results[b['id']][0])
        self.assertIn('host3 lacks MEMORY_MB', results[b['id']][1])
        self.assert_consistent()
