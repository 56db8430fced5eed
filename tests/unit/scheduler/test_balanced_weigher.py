"""BalancedUtilizationWeigher through Nova's real HostWeightHandler.

Expected weights are computed here by hand: utilisation vectors written out
from the hosts' figures, fed to the shared cost model, normalised as Nova's
``normalize`` does.
"""

from concurrent import futures

import nova.conf
from nova import weights
import numpy as np

from nova_lb.conf import nova_lb_group
from nova_lb import exception
from nova_lb.model import cost
from nova_lb.scheduler import candidates
from nova_lb.scheduler.weighers import balanced
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts

CONF = nova.conf.CONF
#: The cost model of the default options.
MODEL = cost.CostModel.build(nova_lb_group.DEFAULT_WEIGHTS,
                             resource_classes=cost.STANDARD_CLASSES)


def nova_weights(costs, multipliers=None):
    """What Nova's handler gives a weigher whose raw weight is -cost."""
    normalised = [round(n, candidates.WEIGHT_DECIMALS)
                  for n in weights.normalize([-c for c in costs])]
    multipliers = multipliers or [CONF.nova_lb.weight_multiplier] * len(
        costs)
    return [n * m for n, m in zip(normalised, multipliers)]


class BalancedWeigherTest(base.PluginTestCase):

    def test_heterogeneous_hosts(self):
        states = [
            hosts.host_state('gen1', 16, 65536, 500, used=(8, 16384, 100)),
            hosts.host_state('gen2', 32, 131072, 1000, used=(8, 98304, 100)),
            hosts.host_state('gen3', 64, 262144, 2000, used=(40, 65536, 900)),
        ]
        spec = hosts.request_spec(hosts.flavor('m1.large', 4, 8192, 80))
        costs = [MODEL.cost([12 / 16, 24576 / 65536, 180 / 500]),
                 MODEL.cost([12 / 32, 106496 / 131072, 180 / 1000]),
                 MODEL.cost([44 / 64, 73728 / 262144, 980 / 2000])]
        expected = dict(zip(['gen1', 'gen2', 'gen3'], nova_weights(costs)))
        result = self.weighed(states, spec)
        self.assertEqual(sorted(expected, key=expected.get, reverse=True),
                         [host for host, _ in result])
        for host, weight in result:
            self.assertAlmostEqual(expected[host], weight)

    def test_allocation_ratios_and_reserved(self):
        # Placement: capacity = (total - reserved) * ratio; usage excludes
        # reserved. The compute reports used figures including reserved.
        self.flags(reserved_host_cpus=2, reserved_host_memory_mb=4096,
                   reserved_host_disk_mb=10240)
        reserved = (2, 4096, 10240)
        states = [
            hosts.host_state('ratio', 16, 36864, 110, used=(20, 8192, 20),
                             ratios=(4.0, 1.5, 1.0), reserved=reserved),
            hosts.host_state('plain', 16, 36864, 110, used=(6, 8192, 20),
                             reserved=reserved),
        ]
        self.assertEqual(22, states[0].vcpus_used)   # as the compute says
        spec = hosts.request_spec(
            hosts.flavor('f', 2, 2048, 10, ephemeral_gb=5, swap=1536))
        disk = 10 + 5 + 2   # swap rounded up to GiB, as Placement is asked
        costs = [MODEL.cost([22 / 56, 10240 / 49152, (20 + disk) / 100]),
                 MODEL.cost([8 / 14, 10240 / 32768, (20 + disk) / 100])]
        result = dict(self.weighed(states, spec))
        for host, weight in zip(['ratio', 'plain'], nova_weights(costs)):
            self.assertAlmostEqual(weight, result[host])
        self.assertGreater(result['ratio'], result['plain'])

    def test_stranded_capacity_ranks_below_balanced_host(self):
        # 'stranded' has far more free CPU, but its memory is nearly gone:
        # its CPUs would be stranded. Nova's CPUWeigher alone prefers it.
        states = [
            hosts.host_state('stranded', 64, 65536, 1000,
                             used=(8, 57344, 200)),
            hosts.host_state('balanced', 32, 65536, 1000,
                             used=(16, 32768, 400)),
        ]
        spec = hosts.request_spec(hosts.flavor('m1.medium', 2, 4096, 40))
        result = self.weighed(states, spec)
        self.assertEqual(['balanced', 'stranded'], [h for h, _ in result])
        cpu_handler, cpu = hosts.load_weighers(
            'nova.scheduler.weights.cpu.CPUWeigher')
        by_cpu = cpu_handler.get_weighed_objects([cpu[0]()], states, spec)
        self.assertEqual('stranded', by_cpu[0].obj.host)

    def test_multiplier_option_and_aggregate_override(self):
        self.flags(weight_multiplier=2.0, group='nova_lb')
        states = [
            hosts.host_state('a', 32, 65536, 1000, used=(4, 4096, 10)),
            hosts.host_state('b', 32, 65536, 1000, used=(16, 32768, 500),
                             aggregates=[hosts.aggregate(
                                 'x', nova_lb_weight_multiplier='0.5'),
                                 hosts.aggregate(
                                 'y', nova_lb_weight_multiplier='3')]),
            hosts.host_state('c', 32, 65536, 1000, used=(24, 49152, 800),
                             aggregates=[hosts.aggregate(
                                 'z', nova_lb_weight_multiplier='nan?')]),
        ]
        spec = hosts.request_spec(hosts.flavor('small', 1, 2048, 20))
        costs = [MODEL.cost([5 / 32, 6144 / 65536, 30 / 1000]),
                 MODEL.cost([17 / 32, 34816 / 65536, 520 / 1000]),
                 MODEL.cost([25 / 32, 51200 / 65536, 820 / 1000])]
        # b: lowest over its aggregates; c: bad metadata falls back to conf.
        expected = nova_weights(costs, [2.0, 0.5, 2.0])
        result = dict(self.weighed(states, spec))
        for host, weight in zip('abc', expected):
            self.assertAlmostEqual(weight, result[host])

    def test_negative_multiplier_packs(self):
        self.flags(weight_multiplier=-1.0, group='nova_lb')
        states = [
            hosts.host_state('empty', 32, 65536, 1000),
            hosts.host_state('busy', 32, 65536, 1000, used=(16, 32768, 500)),
        ]
        spec = hosts.request_spec(hosts.flavor('small', 1, 2048, 20))
        self.assertEqual('busy', self.weighed(states, spec)[0][0])

    def test_with_nova_default_weighers(self):
        handler, classes = hosts.load_weighers(
            'nova.scheduler.weights.all_weighers', hosts.WEIGHERS)
        self.assertIn(balanced.BalancedUtilizationWeigher, classes)
        states = [hosts.host_state('h%d' % i, 16, 32768, 500,
                                   used=(i, 2048 * i, 20 * i))
                  for i in range(5)]
        spec = hosts.request_spec(hosts.flavor('small', 1, 2048, 20))
        result = handler.get_weighed_objects(
            [cls() for cls in classes], states, spec)
        self.assertEqual('h0', result[0].obj.host)

    def test_weight_of_one_host_matches_cost_model(self):
        weigher = balanced.BalancedUtilizationWeigher()
        state = hosts.host_state('a', 10, 10240, 100, used=(3, 2048, 10))
        spec = hosts.request_spec(hosts.flavor('f', 1, 1024, 10))
        self.assertAlmostEqual(-MODEL.cost([0.4, 0.3, 0.2]),
                               weigher._weigh_object(state, spec))
        self.assertEqual(1.0, weigher.weight_multiplier(state))

    def test_bad_option_fails_at_construction_in_one_line(self):
        self.flags(resource_weights={'VCPU': 0.0, 'MEMORY_MB': 0.0},
                   group='nova_lb')
        err = self.assertRaises(exception.InvalidConfig,
                                balanced.BalancedUtilizationWeigher)
        self.assertIn('[nova_lb] resource_weights', str(err))
        self.assertNotIn('\n', str(err))

    def test_normalise_matches_nova(self):
        costs = [3.0, 1.0, 2.0, np.inf, np.nan]
        self.assertEqual(list(weights.normalize([-3.0, -1.0, -2.0])),
                         candidates.normalise(costs)[:3].tolist())
        self.assertEqual([0.0, 1.0, 0.5, 0.0, 0.0],
                         candidates.normalise(costs).tolist())
        self.assertEqual([0.0, 0.0], candidates.normalise([1.0, 1.0]).tolist())
        self.assertEqual([0.0, 0.0],
                         candidates.normalise([np.inf, np.nan]).tolist())

    def test_normalise_rounds_to_six_decimals(self):
        # Nova formats every weight into a string; six decimals suffice.
        self.assertEqual([1.0, 0.333333, 0.0],
                         candidates.normalise([1.0, 3.0, 4.0]).tolist())



class SharedAcrossThreadsTest(base.PluginTestCase):
    """nova-scheduler shares one filter and one weigher object between the
    threads serving requests: concurrent requests must not mix."""

    def test_concurrent_requests(self):
        self.flags(memory_mb_ceiling=0.8, group='nova_lb')
        states = [hosts.host_state('h%d' % i, 8 + 8 * (i % 3), 32768, 500,
                                   used=(i % 7, 2048 * (i % 11), 10 * i))
                  for i in range(40)]
        specs = [hosts.request_spec(hosts.flavor('f%d' % i, 1 + i % 4,
                                                 1024 * (1 + i % 9), 10))
                 for i in range(16)]
        weighers = [cls() for cls in self.weigher_classes]
        headroom = self.filter_class('HeadroomFilter')()

        def place(spec):
            passed = self.filter_handler.get_filtered_objects(
                [headroom], states, spec)
            weighed = self.weight_handler.get_weighed_objects(
                weighers, passed, spec)
            return [(w.obj.host, w.weight) for w in weighed]

        sequential = [place(spec) for spec in specs]
        with futures.ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(place, specs * 4))
        self.assertEqual(sequential * 4, concurrent)
        self.assertGreater(len({tuple(r) for r in sequential}), 1)
