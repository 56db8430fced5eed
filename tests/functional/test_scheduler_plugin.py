"""The scheduler plugin inside a real nova-scheduler.

Nova's in-process cloud (API, conductor, scheduler, fake-driver computes,
Placement) with nova-lb's filters and weigher enabled in nova.conf exactly
as an admin enables them: ``available_filters`` and ``weight_classes`` list
Nova's own and nova-lb's ``all_filters``/``all_weighers``, and
``enabled_filters`` names the filters. Hosts have different sizes.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

import nova.conf

from nova_lb.model import cost
from nova_lb.model import cost_settings

CONF = nova.conf.CONF
Host = base.Host

FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter',
           'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
           'ServerGroupAffinityFilter', 'DrainingHostFilter',
           'HeadroomFilter']


class PluginTestCase(base.NovaLBTestCase):

    use_nova_lb_plugin = True
    enabled_filters = FILTERS

    def boot(self, vcpus, memory_mb, disk_gb, expected_state='ACTIVE'):
        return self._create_server(
            flavor_id=self.flavor(vcpus, memory_mb, disk_gb),
            networks='none', expected_state=expected_state)

    def cheapest_host(self, want):
        """Where the shared cost model, fed by Placement, puts ``want``."""
        model = cost_settings.load(CONF).cost.for_classes(
            cost.STANDARD_CLASSES)
        costs = {}
        for host in self.hosts:
            inventories, usages = self.provider_state(host.name)
            util = []
            for rc, amount in zip(cost.STANDARD_CLASSES, want):
                inv = inventories[rc]
                util.append((usages.get(rc, 0) + amount) / cost.capacity(
                    inv['total'], inv['reserved'], inv['allocation_ratio']))
            costs[host.name] = float(model.cost(util))
        return min(costs, key=costs.get), costs


class BalancedPlacementTest(PluginTestCase):

    hosts = (Host('host1', 8, 16384, 200), Host('host2', 16, 16384, 400),
             Host('host3', 4, 32768, 400))

    def test_stream_lands_where_the_cost_model_says(self):
        # The admin lets nova-lb's weigher replace Nova's spreading
        # weighers (free RAM, free vCPU, free disk, I/O operations), so
        # the choice is the cost model's alone.
        for name in ('ram', 'cpu', 'disk', 'io_ops'):
            self.flags(group='filter_scheduler',
                       **{name + '_weight_multiplier': 0.0})
        stream = [(2, 4096, 20), (4, 2048, 20), (1, 8192, 20),
                  (8, 4096, 40), (1, 6144, 10), (2, 2048, 10)]
        landed = []
        for want in stream:
            expected, costs = self.cheapest_host(want)
            server = self.boot(*want)
            landed.append(server['OS-EXT-SRV-ATTR:host'])
            self.assertEqual(expected, landed[-1],
                             'flavor %s, costs %s' % (want, costs))
        # Not a degenerate stream: the balance moved between hosts.
        self.assertGreaterEqual(len(set(landed)), 2, landed)
        self.assert_usages_match_servers()


class StrandedCapacityTest(PluginTestCase):

    hosts = (Host('stranded', 16, 32768, 400), Host('balanced', 8, 16384,
                                                    200))

    def test_balanced_host_wins_over_stranded_one(self):
        self.boot_on('stranded', vcpus=1, memory_mb=24576, force=True)
        # (A server's vCPUs may not exceed the host's physical ones.)
        self.boot_skewed({'balanced': 2}, vcpus=6, memory_mb=3072)
        want = (2, 2048, 10)
        # 'stranded' has 63 of 64 vCPUs free and 7680 MB of RAM,
        # 'balanced' 20 vCPUs and 9728 MB: Nova's CPUWeigher prefers the
        # first much more than its RAMWeigher prefers the second. Filling
        # the first would strand its vCPUs; the cost model prefers
        # 'balanced'.
        expected, costs = self.cheapest_host(want)
        self.assertEqual('balanced', expected, costs)

        # Nova's weighers alone ([nova_lb] options are read per request).
        self.flags(weight_multiplier=0.0, group='nova_lb')
        server = self.boot(*want)
        self.assertEqual('stranded', server['OS-EXT-SRV-ATTR:host'])
        self._delete_server(server)

        # nova-lb's defaults, next to Nova's.
        CONF.clear_override('weight_multiplier', group='nova_lb')
        server = self.boot(*want)
        self.assertEqual('balanced', server['OS-EXT-SRV-ATTR:host'])


class HeadroomTest(PluginTestCase):

    hosts = (Host('host1', 8, 16384, 200), Host('host2', 8, 16384, 200))

    def setUp(self):
        super().setUp()
        # Read per request: no scheduler restart needed.
        self.flags(memory_mb_ceiling=0.5, group='nova_lb')

    def test_boot_above_the_ceiling_is_no_valid_host(self):
        # 10240 of (16384 - 512 reserved) MB = 0.65 > 0.5 on both hosts.
        server = self.boot(1, 10240, 10, expected_state='ERROR')
        self.assertIn('No valid host', server['fault']['message'])
        self.assertIn('Filter HeadroomFilter returned 0 hosts',
                      self.stdlog.logger.output)

    def test_live_migration_to_a_too_full_host(self):
        server = self.boot_on('host1', memory_mb=4096)
        small = self.boot_on('host1', memory_mb=1024)
        self.boot_on('host2', memory_mb=6144)
        # A move within the ceiling goes through: (6144 + 1024) / 15872.
        self.admin_api.post_server_action(small['id'], {
            'os-migrateLive': {'host': 'host2', 'block_migration': 'auto'}})
        self.wait_for_migration_done(small['id'])
        self.assertNotIn('Filter HeadroomFilter returned 0 hosts',
                         self.stdlog.logger.output)

        # (7168 + 4096) / 15872 = 0.71 > 0.5 on the destination: refused.
        self.admin_api.post_server_action(server['id'], {
            'os-migrateLive': {'host': 'host2', 'block_migration': 'auto'}})
        self.wait_for_migration_done(server['id'], expected='error')
        server = self._wait_for_state_change(server, 'ACTIVE')
        self.assertEqual('host1', server['OS-EXT-SRV-ATTR:host'])
        self.assertIn('Filter HeadroomFilter returned 0 hosts',
                      self.stdlog.logger.output)
        self.assert_servers_active()
        self.assert_usages_match_servers()
