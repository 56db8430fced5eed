"""HeadroomFilter through Nova's real HostFilterHandler and HostStates."""

from nova import objects

from nova_lb import exception
from nova_lb.scheduler.filters import headroom
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts


class HeadroomFilterTest(base.PluginTestCase):

    def setUp(self):
        super().setUp()
        self.flags(memory_mb_ceiling=0.75, group='nova_lb')
        # After placing m1.large (8192 MB): 'full' at 0.875, 'roomy' at 0.5,
        # 'edge' exactly at the ceiling.
        self.states = [
            hosts.host_state('full', 32, 65536, 1000, used=(4, 49152, 10)),
            hosts.host_state('roomy', 32, 65536, 1000, used=(4, 24576, 10)),
            hosts.host_state('edge', 32, 65536, 1000, used=(4, 40960, 10)),
        ]
        self.flavor = hosts.flavor('m1.large', 4, 8192, 80)
        self.log = self.capture_log(headroom.__name__)

    def test_boot(self):
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['roomy', 'edge'],
                         self.passing('HeadroomFilter', self.states, spec))
        self.assertIn('judges a boot request', self.log.output)
        self.assertIn('full', self.log.output)

    def test_off_by_default(self):
        self.flags(memory_mb_ceiling=1.0, group='nova_lb')
        spec = hosts.request_spec(hosts.flavor('huge', 4, 60000, 10))
        self.assertEqual(['full', 'roomy', 'edge'],
                         self.passing('HeadroomFilter', self.states, spec))

    def test_class_without_ceiling_is_not_judged(self):
        # VCPU has no ceiling (1.0): even a host this filter would compute
        # as over-full in VCPU passes; capacity is Placement's business.
        state = hosts.host_state('cpu-full', 4, 65536, 1000,
                                 used=(8, 8192, 10))
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['cpu-full'],
                         self.passing('HeadroomFilter', [state], spec))

    def test_vcpu_ceiling_with_allocation_ratio_and_reserved(self):
        self.flags(vcpu_ceiling=0.5, group='nova_lb')
        self.flags(reserved_host_cpus=4)
        # Capacity (16 - 4) * 2 = 24 VCPU; usage excludes the 4 reserved.
        states = [
            hosts.host_state('at', 16, 65536, 1000, used=(8, 0, 0),
                             ratios=(2.0, 1.0, 1.0), reserved=(4, 0, 0)),
            hosts.host_state('over', 16, 65536, 1000, used=(9, 0, 0),
                             ratios=(2.0, 1.0, 1.0), reserved=(4, 0, 0)),
        ]
        spec = hosts.request_spec(self.flavor)   # 4 VCPU: 12/24, 13/24
        self.assertEqual(['at'], self.passing('HeadroomFilter', states, spec))

    def test_aggregate_override_takes_lowest(self):
        low = hosts.aggregate('low', nova_lb_memory_mb_ceiling='0.4')
        high = hosts.aggregate('high', nova_lb_memory_mb_ceiling='0.95')
        bad = hosts.aggregate('bad', nova_lb_memory_mb_ceiling='-1')
        states = [
            hosts.host_state('full', 32, 65536, 1000, used=(4, 49152, 10),
                             aggregates=[high]),
            hosts.host_state('roomy', 32, 65536, 1000, used=(4, 24576, 10),
                             aggregates=[high, low]),
            hosts.host_state('other', 32, 65536, 1000, used=(4, 24576, 10),
                             aggregates=[bad]),
        ]
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['full', 'other'],
                         self.passing('HeadroomFilter', states, spec))

    def test_aggregate_override_when_option_is_off(self):
        self.flags(memory_mb_ceiling=1.0, group='nova_lb')
        self.states[1].aggregates = [
            hosts.aggregate('tight', nova_lb_memory_mb_ceiling='0.3')]
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['full', 'edge'],
                         self.passing('HeadroomFilter', self.states, spec))

    def test_live_migration_to_a_requested_host(self):
        # What the conductor asks for a live migration with a host given:
        # the source ignored, the destination requested.
        spec = hosts.request_spec(
            self.flavor, ignore_hosts=['src'],
            requested_destination=objects.Destination(host='full',
                                                      node='full'))
        self.assertEqual([], self.passing('HeadroomFilter',
                                          self.states[:1], spec))
        self.assertIn('judges a move request', self.log.output)
        self.assertIn('requested destination: full', self.log.output)

    def test_evacuate(self):
        spec = hosts.request_spec(self.flavor, ignore_hosts=['failed-host'])
        self.assertEqual(['roomy', 'edge'],
                         self.passing('HeadroomFilter', self.states, spec))
        self.assertIn('judges a move request', self.log.output)

    def test_resize_to_same_host_allowed_judges_new_flavor(self):
        # Resize with allow_resize_to_same_host: nothing ignored, a
        # requested_destination with allow_cross_cell_move, the new flavor.
        spec = hosts.request_spec(
            hosts.flavor('m1.xlarge', 8, 16384, 160), ignore_hosts=[],
            requested_destination=objects.Destination(
                allow_cross_cell_move=False))
        # roomy: (24576 + 16384) / 65536 = 0.625; edge: 0.875
        self.assertEqual(['roomy'],
                         self.passing('HeadroomFilter', self.states, spec))
        self.assertIn('judges a move request', self.log.output)

    def test_rebuild_passes(self):
        spec = hosts.request_spec(
            self.flavor, scheduler_hints={'_nova_check_type': ['rebuild']},
            requested_destination=objects.Destination(host='full',
                                                      node='full'))
        self.assertEqual(['full'], self.passing('HeadroomFilter',
                                                self.states[:1], spec))
        self.assertIn('judges a rebuild request', self.log.output)

    def test_multi_create_sees_consumed_host_state(self):
        # Nova consumes the chosen HostState between the instances of one
        # request; the filter, judging one instance at a time, sees it.
        spec = hosts.request_spec(self.flavor, num_instances=2)
        roomy = hosts.host_state('roomy', 32, 65536, 1000,
                                 used=(4, 36864, 10))   # 0.6875 after one
        self.assertEqual(['roomy'],
                         self.passing('HeadroomFilter', [roomy], spec))
        roomy.consume_from_request(spec)   # 0.8125 after the second
        self.assertEqual([], self.passing('HeadroomFilter', [roomy], spec))

    def test_host_passes(self):
        spec = hosts.request_spec(self.flavor)
        filt = headroom.HeadroomFilter()
        self.assertFalse(filt.host_passes(self.states[0], spec))
        self.assertTrue(filt.host_passes(self.states[1], spec))

    def test_bad_option_fails_at_construction_in_one_line(self):
        self.flags(disk_gb_ceiling=0.0, group='nova_lb')
        err = self.assertRaises(exception.InvalidConfig,
                                headroom.HeadroomFilter)
        self.assertEqual('[nova_lb] disk_gb_ceiling must be > 0 (1.0 '
                         'disables it), not 0.0', str(err))
