import numpy as np
import testtools

from nova_lb.model import cost
from nova_lb.solver import zone
from tests.unit.solver import clusters


class CapacityTest(testtools.TestCase):

    def test_matches_placement_truncation(self):
        # Placement: int((total - reserved) * allocation_ratio)
        self.assertEqual(30.0, cost.capacity(16, 1, 2.0))
        self.assertEqual(7.0, cost.capacity(10, 3, 1.1))   # 7.7 -> 7
        np.testing.assert_array_equal(
            [30.0, 7.0, 0.0],
            cost.capacity([16, 10, 4], [1, 3, 4], [2.0, 1.1, 16.0]))

    def test_utilisation_of_empty_capacity(self):
        np.testing.assert_array_equal(
            [0.5, 0.0, np.inf],
            cost.utilisation([5, 0, 1], [10, 0, 0]))


class CostModelTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.model = cost.CostModel.build(
            {'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 1.0})

    def test_stranded_host_costs_more_than_balanced_one(self):
        # Same mean utilisation; the first host has idle CPUs and full RAM.
        stranded = [0.1, 0.9, 0.5]
        balanced = [0.5, 0.5, 0.5]
        self.assertGreater(self.model.cost(stranded),
                           self.model.cost(balanced))

    def test_cost_grows_with_peak(self):
        self.assertLess(self.model.cost([0.3, 0.3, 0.3]),
                        self.model.cost([0.6, 0.6, 0.6]))

    def test_one_host_and_many_agree(self):
        util = np.random.default_rng(1).random((50, 3))
        many = self.model.cost(util)
        one = [self.model.cost(row) for row in util]
        np.testing.assert_allclose(one, many)

    def test_weights_scale_the_peak(self):
        model = cost.CostModel.build({'VCPU': 0.5, 'MEMORY_MB': 1.0})
        self.assertEqual(('VCPU', 'MEMORY_MB'), model.resource_classes)
        self.assertAlmostEqual(0.4, float(model.peak([0.8, 0.2])))

    def test_unweighted_classes_are_ignored(self):
        model = cost.CostModel.build({'VCPU': 1.0}).for_classes(
            ('VCPU', 'MEMORY_MB'))
        self.assertEqual(0.0, float(model.imbalance([0.4, 0.99])))
        self.assertAlmostEqual(0.4, float(model.cost([0.4, 0.99])))

    def test_full_host_without_capacity_is_infinite(self):
        self.assertEqual(np.inf, self.model.cost([np.inf, 0.1, 0.1]))

    def test_rejects_bad_weights(self):
        self.assertRaisesRegex(ValueError, 'at least one',
                               cost.CostModel.build, {'VCPU': 0.0})
        self.assertRaisesRegex(ValueError, 'VCPU',
                               cost.CostModel.build, {'VCPU': -1.0})
        self.assertRaisesRegex(ValueError, 'imbalance',
                               cost.CostModel.build, {'VCPU': 1.0}, -2)


class FleetSummaryTest(testtools.TestCase):

    def test_summary(self):
        s = cost.fleet_summary([[0.2, 0.4], [0.6, 0.4]], ('VCPU', 'DISK_GB'))
        self.assertEqual({'peak': 0.6, 'mean': 0.4, 'stddev': 0.2,
                          'imbalance': 0.5},
                         {k: round(v, 9) for k, v in s['VCPU'].items()})
        self.assertEqual(0.0, s['DISK_GB']['stddev'])
        self.assertEqual(0.0, s['DISK_GB']['imbalance'])


class ImbalanceScoreTest(testtools.TestCase):

    def test_coefficient_of_variation_clamped(self):
        self.assertEqual(0.25, cost.imbalance_score(0.4, 0.1))
        # All load on one of four hosts: CV sqrt(3), clamped.
        util = [[1.0], [0.0], [0.0], [0.0]]
        s = cost.fleet_summary(util, ('VCPU',))
        self.assertEqual(1.0, s['VCPU']['imbalance'])

    def test_unused_and_impossible(self):
        self.assertEqual(0.0, cost.imbalance_score(0.0, 0.0))
        self.assertEqual(1.0, cost.imbalance_score(float('inf'),
                                                   float('nan')))

    def test_cloud_score_weighs_classes_as_the_model(self):
        model = cost.CostModel.build({'VCPU': 1.0, 'MEMORY_MB': 3.0,
                                      'DISK_GB': 0.0})
        summary = {'VCPU': {'imbalance': 0.8}, 'MEMORY_MB': {'imbalance': 0.4},
                   'DISK_GB': {'imbalance': 1.0}}
        self.assertAlmostEqual(0.5, cost.cloud_imbalance(summary, model))
        self.assertIsNone(cost.cloud_imbalance({}, model))


class OneCostStoryTest(testtools.TestCase):
    """The scheduler's cost and the solver's objective share utilisation
    and weights; where they differ is the example of cost-model.rst."""

    def setUp(self):
        super().setUp()
        self.model = cost.CostModel.build(
            {'VCPU': 1.0, 'MEMORY_MB': 1.0, 'DISK_GB': 0.0},
            resource_classes=cost.STANDARD_CLASSES)

    def test_solver_weights_are_the_models_shares(self):
        c = clusters.make([(10, 10240, 100)] * 2, [(0, (1, 1024, 1))],
                          weights={'VCPU': 2.0, 'MEMORY_MB': 1.0})
        np.testing.assert_array_equal([2 / 3, 1 / 3, 0.0],
                                      zone.class_weights(c))
        z = zone.split(c)[0][0]
        np.testing.assert_array_equal(
            cost.utilisation(z.usage, z.capacity), z.util())
        self.assertEqual(cost.weighted_peak(z.weights, z.peaks()),
                         z.weighted(z.peaks()))

    def test_scheduler_pick_can_raise_the_solvers_objective(self):
        # cost-model.rst, "What each half minimises": cloud peaks 50 %
        # VCPU and 90 % memory; a boot leaves host A or host B at:
        after = np.array([[0.50, 0.85, 0.3], [0.60, 0.70, 0.3]])
        np.testing.assert_allclose([0.85, 0.70], self.model.peak(after))
        np.testing.assert_allclose([0.175, 0.05],
                                   self.model.imbalance(after))
        np.testing.assert_allclose([1.025, 0.75], self.model.cost(after))
        picked = int(np.argmin(self.model.cost(after)))
        self.assertEqual(1, picked)
        peaks = np.array([0.5, 0.9, 0.3])
        objective = [cost.weighted_peak(self.model.shares,
                                        np.maximum(peaks, u))
                     for u in after]
        np.testing.assert_allclose([0.70, 0.75], objective)
