"""The functional base itself: sized hosts, chosen hosts, real openstacksdk."""

from tests.functional import base  # isort:skip  (patches eventlet first)


class TestBase(base.NovaLBTestCase):

    def test_hosts_servers_and_sdk(self):
        server = self.boot_on('host2', vcpus=2, memory_mb=2048, disk_gb=20)
        forced = self.boot_on('host1', force=True)

        # Each host reports the sizes it was given, read through openstacksdk
        # and Placement: heterogeneous hosts.
        for host in self.hosts:
            rp = self.sdk.placement.get(
                '/resource_providers/%s/inventories'
                % self.provider_uuid(host.name),
                microversion='1.39').json()['inventories']
            self.assertEqual(
                (host.vcpus, host.memory_mb, host.disk_gb),
                (rp['VCPU']['total'], rp['MEMORY_MB']['total'],
                 rp['DISK_GB']['total']))

        body = self.sdk.compute.get(
            '/servers/detail?all_tenants=1', microversion='2.47').json()
        hosts = {s['id']: s['OS-EXT-SRV-ATTR:host'] for s in body['servers']}
        self.assertEqual({server['id']: 'host2', forced['id']: 'host1'}, hosts)

        self.assert_servers_active()
        self.assert_usages_match_servers()
        self.assert_within_capacity()

    def test_wait_for_migration_done(self):
        server = self.boot_on('host1', vcpus=2, memory_mb=2048)
        self.admin_api.post_server_action(server['id'], {
            'os-migrateLive': {'host': 'host3', 'block_migration': 'auto'}})

        migration = self.wait_for_migration_done(server['id'])

        self.assertEqual(('host1', 'host3'), (migration['source_compute'],
                                              migration['dest_compute']))
        self.assertEqual('host3', self._show_server(server)[
            'OS-EXT-SRV-ATTR:host'])
        self.assert_usages_match_servers()


class TestBaseWithPlugin(base.NovaLBTestCase):

    hosts = base.NovaLBTestCase.hosts[:2]
    use_nova_lb_plugin = True
    enabled_filters = ['ComputeFilter', 'HeadroomFilter']

    def test_scheduler_runs_the_plugin(self):
        manager = self.scheduler_service.manager.host_manager
        self.assertEqual(['ComputeFilter', 'HeadroomFilter'],
                         [type(f).__name__ for f in manager.enabled_filters])
        self.assertIn('BalancedUtilizationWeigher',
                      [type(w).__name__ for w in manager.weighers])
        server = self._create_server(
            flavor_id=self.flavor(1, 1024, 10), networks='none')
        self.assertIn(server['OS-EXT-SRV-ATTR:host'], ('host1', 'host2'))
