"""DrainingHostFilter through Nova's real HostFilterHandler."""

from nova import objects

from nova_lb import exception
from nova_lb.scheduler.filters import draining
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts


class DrainingHostFilterTest(base.PluginTestCase):

    def setUp(self):
        super().setUp()
        self.states = [
            hosts.host_state('draining', 32, 65536, 1000, aggregates=[
                hosts.aggregate('rack-1'),
                hosts.aggregate('nova-lb-draining')]),
            hosts.host_state('rack', 32, 65536, 1000,
                             aggregates=[hosts.aggregate('rack-1')]),
            hosts.host_state('plain', 32, 65536, 1000),
        ]
        self.flavor = hosts.flavor('m1.small', 1, 2048, 20)

    def test_boot_avoids_draining_host(self):
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['rack', 'plain'],
                         self.passing('DrainingHostFilter', self.states, spec))

    def test_move_onto_draining_host_rejected(self):
        spec = hosts.request_spec(
            self.flavor, ignore_hosts=['src'],
            requested_destination=objects.Destination(host='draining'))
        self.assertEqual([], self.passing('DrainingHostFilter',
                                          self.states[:1], spec))

    def test_aggregate_name_option(self):
        self.flags(draining_aggregate='rack-1', group='nova_lb')
        spec = hosts.request_spec(self.flavor)
        self.assertEqual(['plain'],
                         self.passing('DrainingHostFilter', self.states, spec))

    def test_rebuild_passes(self):
        spec = hosts.request_spec(
            self.flavor, scheduler_hints={'_nova_check_type': ['rebuild']})
        self.assertEqual(['draining'], self.passing('DrainingHostFilter',
                                                    self.states[:1], spec))

    def test_empty_name_fails_at_construction(self):
        self.flags(draining_aggregate=' ', group='nova_lb')
        err = self.assertRaises(exception.InvalidConfig,
                                draining.DrainingHostFilter)
        self.assertIn('[nova_lb] draining_aggregate', str(err))
