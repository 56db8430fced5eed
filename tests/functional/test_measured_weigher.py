"""MeasuredLoadWeigher inside a real nova-scheduler, fed by Nova's own
compute monitors.

Each compute runs Nova's ``cpu.virt_driver`` monitor, which reads the
driver's host CPU counters when the compute reports its resources and
stores ``cpu.percent`` with the compute node; nova-scheduler's HostState
carries it to the weigher. The fake driver's counters are the one thing
stubbed: one host busy at 90 %, the other at 10 %.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

import itertools

import nova.conf

CONF = nova.conf.CONF
Host = base.Host


def _cpu_counters(driver, busy):
    """``driver``'s ``get_host_cpu_stats``, its counters then growing
    ``busy`` of the time (the monitor reads differences)."""
    base = driver.get_host_cpu_stats()
    tick = itertools.count(1)

    def stats():
        elapsed = next(tick) * 10 ** 12
        return dict(base, user=base['user'] + int(elapsed * busy),
                    idle=base['idle'] + int(elapsed * (1 - busy)))
    return stats


class MeasuredLoadWeigherTest(base.NovaLBTestCase):

    use_nova_lb_plugin = True
    hosts = (Host('hot', 8, 16384, 200), Host('cool', 8, 16384, 200))

    def setUp(self):
        self.flags(compute_monitors=['cpu.virt_driver'])
        super().setUp()
        for name in ('ram', 'cpu', 'disk', 'io_ops'):
            self.flags(group='filter_scheduler',
                       **{name + '_weight_multiplier': 0.0})
        busy = {'hot': 0.9, 'cool': 0.1}
        for host, compute in self.computes.items():
            compute.driver.get_host_cpu_stats = _cpu_counters(
                compute.driver, busy[host])
        # Allocations say 'hot' is the emptier host.
        self.boot_on('cool', vcpus=4, memory_mb=8192)
        # Each compute reports its resources, and its monitor's reading.
        self._run_periodics()

    def test_new_boot_avoids_the_measured_hot_host(self):
        # Outvote the BalancedUtilizationWeigher (3.0), which prefers the
        # host with fewer allocations, as the measured-load guide advises.
        self.flags(measured_weight_multiplier=6.0, group='nova_lb')
        server = self._create_server(
            flavor_id=self.flavor(1, 1024, 10), networks='none')
        self.assertEqual('cool', server['OS-EXT-SRV-ATTR:host'])

    def test_without_the_weigher_allocations_decide(self):
        self.flags(measured_weight_multiplier=0.0, group='nova_lb')
        server = self._create_server(
            flavor_id=self.flavor(1, 1024, 10), networks='none')
        self.assertEqual('hot', server['OS-EXT-SRV-ATTR:host'])
