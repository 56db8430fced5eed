"""The pre-checks on plain API bodies, as Nova and Placement return them."""

import testtools

from nova_lb.executor import prechecks
from nova_lb.planner import plan

MOVE = plan.Migration('s1', 'host1', 'host2', 0)


def _server(host='host1', status='ACTIVE', task=None, metadata=None):
    return {'id': 's1', 'status': status, 'OS-EXT-SRV-ATTR:host': host,
            'OS-EXT-STS:task_state': task, 'metadata': metadata or {}}


def _service(status='enabled', state='up', forced_down=False):
    return {'host': 'host2', 'status': status, 'state': state,
            'forced_down': forced_down}


def _inventory(total, reserved=0, ratio=1.0, max_unit=None):
    return {'total': total, 'reserved': reserved, 'allocation_ratio': ratio,
            'max_unit': total if max_unit is None else max_unit}


class ServerReasonTest(testtools.TestCase):

    def test_active_on_source_is_movable(self):
        self.assertIsNone(prechecks.server_reason(MOVE, _server()))

    def test_gone(self):
        self.assertEqual('server is gone',
                         prechecks.server_reason(MOVE, None))

    def test_already_on_destination_is_not_moved_again(self):
        # What a restarted rebalancer sees for a move it already made.
        self.assertEqual('server is already on host2',
                         prechecks.server_reason(MOVE, _server('host2')))

    def test_elsewhere(self):
        self.assertEqual('server is on host3, not on host1',
                         prechecks.server_reason(MOVE, _server('host3')))

    def test_not_active(self):
        self.assertEqual('server is SHUTOFF, not ACTIVE',
                         prechecks.server_reason(
                             MOVE, _server(status='SHUTOFF')))

    def test_busy(self):
        self.assertEqual('server is busy (task migrating)',
                         prechecks.server_reason(
                             MOVE, _server(task='migrating')))


    def test_owner_opted_out_after_the_plan(self):
        self.assertEqual('its owner set nova_lb:movable=False',
                         prechecks.server_reason(MOVE, _server(
                             metadata={'nova_lb:movable': 'False'})))
        self.assertIsNone(prechecks.server_reason(MOVE, _server(
            metadata={'nova_lb:movable': 'true'})))


class AllocationReasonTest(testtools.TestCase):

    def test_on_source(self):
        self.assertIsNone(prechecks.allocation_reason(
            MOVE, {'rp1': {'VCPU': 2}}, 'rp1'))

    def test_none(self):
        self.assertEqual('server holds no Placement allocation',
                         prechecks.allocation_reason(MOVE, {}, 'rp1'))

    def test_astray(self):
        self.assertEqual(
            'server holds no allocation on host1 (allocations astray)',
            prechecks.allocation_reason(MOVE, {'rp3': {'VCPU': 2}}, 'rp1'))


class ServiceReasonTest(testtools.TestCase):

    def test_enabled_and_up(self):
        self.assertIsNone(prechecks.service_reason(MOVE, _service()))

    def test_missing(self):
        self.assertEqual('no compute service on host2',
                         prechecks.service_reason(MOVE, None))

    def test_disabled(self):
        self.assertEqual('compute service on host2 is disabled',
                         prechecks.service_reason(
                             MOVE, _service(status='disabled')))

    def test_down_or_forced_down(self):
        for service in (_service(state='down'),
                        _service(forced_down=True)):
            self.assertEqual('compute service on host2 is down',
                             prechecks.service_reason(MOVE, service))


class RoomReasonTest(testtools.TestCase):

    INVENTORIES = {'VCPU': _inventory(8, ratio=2.0),
                   'MEMORY_MB': _inventory(8192, reserved=512)}

    def test_fits_exactly(self):
        # (8192 - 512) * 1.0 = 7680 usable; 7168 used + 512 = 7680.
        self.assertIsNone(prechecks.room_reason(
            MOVE, self.INVENTORIES, {'VCPU': 14, 'MEMORY_MB': 7168},
            {'VCPU': 2, 'MEMORY_MB': 512}))

    def test_one_unit_too_many(self):
        self.assertEqual(
            'host2 lacks MEMORY_MB: needs 513, 7168 of 7680 used',
            prechecks.room_reason(
                MOVE, self.INVENTORIES, {'VCPU': 0, 'MEMORY_MB': 7168},
                {'VCPU': 1, 'MEMORY_MB': 513}))

    def test_allocation_ratio_counts(self):
        self.assertEqual('host2 lacks VCPU: needs 2, 15 of 16 used',
                         prechecks.room_reason(
                             MOVE, self.INVENTORIES, {'VCPU': 15},
                             {'VCPU': 2}))

    def test_above_max_unit(self):
        inventories = {'VCPU': _inventory(64, max_unit=4)}
        self.assertIn('lacks VCPU', prechecks.room_reason(
            MOVE, inventories, {}, {'VCPU': 8}))

    def test_missing_resource_class(self):
        self.assertEqual('host2 has no DISK_GB', prechecks.room_reason(
            MOVE, self.INVENTORIES, {}, {'DISK_GB': 10}))

    def test_demand_sums_providers(self):
        self.assertEqual({'VCPU': 3, 'MEMORY_MB': 512},
                         prechecks.server_demand({
                             'rp1': {'VCPU': 2, 'MEMORY_MB': 512},
                             'rp2': {'VCPU': 1}}))


class PlainCloud(object):
    """The executor's Cloud as plain data: what Nova and Placement would
    answer for a destination with 8 GiB free."""

    def __init__(self, allocations):
        self._allocations = allocations

    def server(self, server_id):
        return dict(_server(), id=server_id)

    def compute_service(self, host):
        return _service()

    def provider(self, rp):
        return {'MEMORY_MB': _inventory(16384)}, {'MEMORY_MB': 8192}

    def allocations(self, server_id):
        return self._allocations[server_id]


class CheckTest(testtools.TestCase):

    PROVIDERS = {'host1': 'rp1', 'host2': 'rp2'}

    def test_move_in_flight_to_the_destination_counts_until_placed(self):
        other = plan.Migration('s0', 'host1', 'host2', 0)
        cloud = PlainCloud({'s1': {'rp1': {'MEMORY_MB': 6144}},
                            's0': {'rp1': {'MEMORY_MB': 4096}}})
        # Not on host2 in Placement yet: 8192 + 4096 + 6144 > 16384.
        self.assertEqual(
            'host2 lacks MEMORY_MB: needs 6144, 12288 of 16384 used',
            prechecks.check(MOVE, cloud, self.PROVIDERS, [other]))
        # Once the scheduler has claimed it, Placement's usage has it.
        cloud._allocations['s0'] = {'rp2': {'MEMORY_MB': 4096}}
        self.assertIsNone(prechecks.check(MOVE, cloud, self.PROVIDERS,
                                          [other]))
        self.assertIsNone(prechecks.check(MOVE, cloud, self.PROVIDERS))
