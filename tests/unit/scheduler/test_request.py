"""What the plugin reads from a RequestSpec: kind of request and amounts."""

from nova import objects
from nova.scheduler import utils

from nova_lb.scheduler import request
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts

CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')


class RequestKindTest(base.PluginTestCase):

    def setUp(self):
        super().setUp()
        self.flavor = hosts.flavor('small', 1, 2048, 20)

    def kind(self, **fields):
        return request.kind(hosts.request_spec(self.flavor, **fields))

    def test_kinds(self):
        self.assertEqual(request.BOOT, self.kind())
        self.assertEqual(request.BOOT, self.kind(
            requested_destination=objects.Destination(host='h1')))
        self.assertEqual(request.MOVE, self.kind(ignore_hosts=['src']))
        self.assertEqual(request.MOVE, self.kind(
            requested_destination=objects.Destination(
                allow_cross_cell_move=False)))
        self.assertEqual(request.REBUILD, self.kind(
            scheduler_hints={'_nova_check_type': ['rebuild']}))
        self.assertEqual(request.MOVE, self.kind(
            scheduler_hints={'_nova_check_type': ['resize']}))


class RequestAmountsTest(base.PluginTestCase):
    """The remembered amounts are Nova's, whatever the flavor."""

    def test_same_as_nova(self):
        override = hosts.flavor('override', 2, 4096, 20)
        override.extra_specs = {'resources:VCPU': '6',
                                'resources:DISK_GB': '1'}
        cases = [
            (hosts.flavor('swap', 2, 4096, 20, ephemeral_gb=5, swap=1500),
             False),
            (hosts.flavor('bfv', 2, 4096, 20, ephemeral_gb=5), True),
            (override, False),
        ]
        for flavor, is_bfv in cases:
            nova = utils.resources_from_flavor_and_bfv(flavor, is_bfv)
            spec = hosts.request_spec(flavor, is_bfv=is_bfv)
            self.assertEqual([nova.get(rc, 0) for rc in CLASSES],
                             request.amounts(spec, CLASSES).tolist(),
                             flavor.name)
        self.assertEqual([6, 4096, 1], request.amounts(
            hosts.request_spec(override), CLASSES).tolist())
        self.assertEqual([2, 4096, 27], request.amounts(
            hosts.request_spec(cases[0][0]), CLASSES).tolist())
