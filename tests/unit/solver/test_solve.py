"""Each constraint of the solver, on a cloud small enough to solve by hand.

Clusters are in VCPU units (RAM and disk follow the vCPUs) and weigh VCPU
only, so the best plan can be worked out on paper.
"""

import dataclasses
import time

import numpy as np
from oslo_config import cfg
import testtools

from nova_lb.conf import solver as conf_solver
from nova_lb.model import cluster as cluster_model
from nova_lb.solver import aim
from nova_lb.solver import result
from nova_lb.solver import shapes
from nova_lb.solver import solve
from nova_lb.solver import zone
from tests.unit.solver import clusters


def moved(cluster, res):
    return {cluster.servers[s]: cluster.hosts[res.location[s]]
            for s in np.flatnonzero(res.location != cluster.location)}


class SolverTestCase(testtools.TestCase):

    def solve(self, cluster, **options):
        res = solve.solve(cluster, result.Options(
            **dict(dict(time_limit=5.0), **options)))
        usage = cluster.usage(res.location)
        before = cluster.usage()
        # Never over a limit, unless the host already was and only lost.
        self.assertTrue(np.all((usage <= cluster.limit + 1e-9)
                               | (usage <= before + 1e-9)))
        return res


class ConstraintTest(SolverTestCase):

    def test_unconstrained_moves_the_big_one(self):
        # host0 5+3+2 of 10, host1 empty: moving the 5 gives 0.5/0.5.
        c = clusters.vcpu_only([10, 10], [(0, 5), (0, 3), (0, 2)])
        res = self.solve(c)
        self.assertEqual({'server0': 'host1'}, moved(c, res))
        self.assertEqual(result.OPTIMAL, res.status)
        self.assertAlmostEqual(0.5, res.objective)
        self.assertAlmostEqual(0.5, res.bound)

    def test_capacity_limit_binds(self):
        # host1 may only be filled to 40 %: the 5 no longer fits, the 3
        # is the best that does (peak 0.7).
        c = clusters.vcpu_only([10, 10], [(0, 5), (0, 3), (0, 2)],
                               limit=[1.0, 0.4])
        res = self.solve(c)
        self.assertEqual({'server1': 'host1'}, moved(c, res))
        self.assertAlmostEqual(0.7, res.objective)

    def test_only_accepting_hosts_receive(self):
        # host1 is disabled; host2 (at 4) takes the 3: 0.7/0.7.
        c = clusters.vcpu_only([10, 10, 10], [(0, 5), (0, 3), (0, 2)],
                               fixed=[0, 0, 4], accepts=[True, False, True])
        res = self.solve(c)
        self.assertEqual({'server1': 'host2'}, moved(c, res))

    def test_servers_stay_in_their_zone(self):
        # host2, empty, is in another zone; host1 (at 6) takes the 2.
        c = clusters.vcpu_only([10, 10, 10], [(0, 5), (0, 3), (0, 2)],
                               fixed=[0, 6, 0], azs=['a', 'a', 'b'])
        res = self.solve(c)
        self.assertEqual({'server2': 'host1'}, moved(c, res))
        self.assertEqual({'a', 'b'}, set(res.zones))

    def test_anti_affinity_keeps_members_apart(self):
        # server0 (4) must leave host0; host1 (1) holds its group mate,
        # which cannot move, so host2 (2) takes it.
        c = clusters.vcpu_only(
            [10, 10, 10], [(0, 4)], fixed=[4, 1, 2],
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY, [0],
                                   fixed_hosts=[1])])
        res = self.solve(c)
        self.assertEqual({'server0': 'host2'}, moved(c, res))
        free = clusters.vcpu_only([10, 10, 10], [(0, 4)], fixed=[4, 1, 2])
        self.assertEqual({'server0': 'host1'}, moved(free, self.solve(free)))

    def test_affinity_members_stay_together(self):
        c = clusters.vcpu_only(
            [10, 10], [(0, 4), (0, 4), (0, 2)],
            groups=[clusters.group('g', cluster_model.AFFINITY, [0, 1])])
        res = self.solve(c)
        self.assertEqual({'server2': 'host1'}, moved(c, res))
        self.assertIn('affinity group g', res.pinned['server0'])
        self.assertEqual({'server0', 'server1'}, set(res.pinned))

    def test_max_migrations(self):
        c = clusters.random(10, 6, seed=1)
        free = self.solve(c)
        capped = self.solve(c, max_migrations=2)
        self.assertGreater(len(moved(c, free)), 2)
        self.assertEqual(2, len(moved(c, capped)))
        self.assertGreater(capped.objective, free.objective)

    def test_deadband(self):
        # 0.54/0.50 against a mean of 0.52: one move gains 0.02.
        c = clusters.vcpu_only([100, 100], [(0, 50), (0, 2), (0, 2)],
                               fixed=[0, 50])
        res = self.solve(c, deadband=0.03)
        self.assertEqual(result.DEADBAND, res.status)
        self.assertEqual({}, moved(c, res))
        self.assertEqual(1, len(moved(c, self.solve(c, deadband=0.0))))

    def test_migration_cost_keeps_the_big_server(self):
        # Two vCPUs must leave host0: one 2-vCPU server with 32 GiB, or two
        # 1-vCPU servers with 1 GiB each.
        big, small = (2, 32768, 2), (1, 1024, 1)
        c = clusters.make(
            [(10, 65536, 10)] * 2, [(0, big), (0, small), (0, small)],
            fixed=[(6, 0, 6), (6, 0, 6)], weights={'VCPU': 1.0})
        cheap = self.solve(c, migration_cost=0.0)
        self.assertEqual({'server0': 'host1'}, moved(c, cheap))
        costly = self.solve(c, migration_cost=1.0)
        self.assertEqual({'server1': 'host1', 'server2': 'host1'},
                         moved(c, costly))

    def test_default_counts_migrations_then_ram(self):
        # The same choice with [solver] migration_cost's default (read
        # through the config, as the rebalancer does): one migration
        # rather than two, whatever their RAM.
        conf = cfg.ConfigOpts()
        conf.register_opts(conf_solver.OPTS, group='solver')
        conf([])
        options = dataclasses.replace(result.Options.from_conf(conf),
                                      time_limit=5.0)
        big, small = (2, 32768, 2), (1, 1024, 1)
        c = clusters.make(
            [(10, 65536, 10)] * 2, [(0, big), (0, small), (0, small)],
            fixed=[(6, 0, 6), (6, 0, 6)], weights={'VCPU': 1.0})
        self.assertEqual({'server0': 'host1'},
                         moved(c, solve.solve(c, options)))
        # As many migrations either way: the one that copies less RAM.
        c = clusters.make(
            [(10, 65536, 10)] * 2, [(0, (2, 32768, 2)), (0, (2, 2048, 2))],
            fixed=[(6, 0, 6), (6, 0, 6)], weights={'VCPU': 1.0})
        self.assertEqual({'server1': 'host1'},
                         moved(c, solve.solve(c, options)))


class StatusTest(SolverTestCase):

    def test_nothing_fits_is_a_status(self):
        c = clusters.vcpu_only([10, 10], [(0, 6), (0, 3)], fixed=[0, 6])
        res = self.solve(c)
        self.assertEqual(result.NO_MOVES, res.status)
        self.assertEqual({}, moved(c, res))
        self.assertIn('less than the deadband', res.message)

    def test_time_limit_still_gives_a_valid_plan(self):
        c = clusters.random(60, 12, seed=2)
        res = self.solve(c, time_limit=0.5)
        self.assertIn(res.status, (result.OPTIMAL, result.FEASIBLE))
        self.assertLess(res.objective, c.cost.peak(c.utilisation()).max())
        self.assertGreaterEqual(res.gap, 0.0)

    def test_drain_holds_when_time_runs_out(self):
        # 0.01 s: no model is solved, the heuristics still empty host0.
        c = clusters.make(
            [(64, 262144, 2000)] * 30,
            [(0, (2, 8192, 40))] * 40 + [(h, (4, 16384, 80))
                                        for h in range(1, 30)
                                        for _ in range(10)],
            accepts=[False] + [True] * 29)
        res = self.solve(c, time_limit=0.01, drain=frozenset(['host0']))
        self.assertFalse(np.any(res.location == 0))

    def test_infeasible_model_gives_no_locations(self):
        c = clusters.vcpu_only([10, 10], [(0, 6), (0, 3)])
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 5, 0.0)
        location, res = model.min_churn(np.array([0.2, 1.0, 1.0]), 1.0)
        self.assertIsNone(location)

    def test_bound_is_proven_on_small_clouds(self):
        # The exact model by shape solves this cloud to optimality: the
        # bound must be at most its optimum, the plan within tolerance.
        c = clusters.random(6, 5, seed=3)
        res = self.solve(c)
        report = res.zones['az0']
        self.assertIsNotNone(report['relaxed'])
        z = zone.split(c)[0][0]
        _, exact = shapes.ShapeCountModel(z, len(z.units), 1.0).min_peak(
            30.0, gap=0)
        self.assertEqual(0, exact.status)
        self.assertGreaterEqual(res.bound, z.weighted(z.lower_bound()))
        self.assertLessEqual(res.bound, exact.fun + 1e-9)
        self.assertLessEqual(res.objective, exact.fun + 0.01 + 1e-9)


class ZoneAimTest(testtools.TestCase):
    """A zone aims no lower than the peaks the zones before it reached,
    unless its rounding would overshoot that raised aim."""

    def test_whole_zone_aims_at_the_cloud_peaks_reached(self):
        c = clusters.random(10, 6, seed=1)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        self.assertLessEqual(model.nv, aim.WHOLE)
        got = solve._zone_aim(model, np.array([0.3, 0.5, 0.0]),
                              np.array([0.6, 0.2, 0.9]), 0.01)
        np.testing.assert_allclose([0.59, 0.5, 0.89], got)

    def test_rounded_zone_keeps_the_relaxation_aim(self):
        c = clusters.random(10, 6, seed=1)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        self.patch(aim, 'WHOLE', model.nv - 1)
        got = solve._zone_aim(model, np.array([0.3, 0.5, 0.0]),
                              np.array([0.6, 0.2, 0.9]), 0.01)
        np.testing.assert_allclose([0.3, 0.5, 0.0], got)


class _TwoZones(testtools.TestCase):
    """Two zones, the plan of zone a to choose."""

    #: What stays on zone b's host3 with its 1.
    b_fixed = 4

    def setUp(self):
        super().setUp()
        # Zone a: host0 holds 3 + 3 + 2 of 10 (0.8), host1 and host2 are
        # empty. Zone b: host3 at 4 of 10 with a 1 that stays (0.5).
        self.cluster = clusters.vcpu_only(
            [10, 10, 10, 10, 10], [(0, 3), (0, 3), (0, 2), (3, 1)],
            fixed=[0, 0, 0, self.b_fixed, 4], azs=['a', 'a', 'a', 'b', 'b'])
        self.zones = zone.split(self.cluster)[0]
        self.models = [shapes.ShapeCountModel(z, len(z.units), 0.1)
                       for z in self.zones]
        self.reports = {z.name: {'status': result.FEASIBLE, 'bound': 0.3,
                                 'message': 'planned', 'relaxed': 0.3,
                                 'milp_bound': None} for z in self.zones}


class SettleTest(_TwoZones):
    """Zones settle on the peaks the cloud ends at."""

    def settle(self, moves):
        a, b = self.zones
        one = np.array(a.unit_host)
        for u, h in moves:
            one[u] = h
        found = [one, b.unit_host]
        solve._settle(self.zones, found, self.models, self.reports,
                      time.monotonic() + 5.0, 0.005)
        self.assertIs(b.unit_host, found[1])
        return a.peaks(a.usage_after(found[0]))[0], int(
            np.sum(found[0] != a.unit_host)), found[0] is one

    def test_zone_above_the_others_drops_to_their_peak(self):
        # 0.6 with the 2 moved; 0.5 with a 3 moved instead.
        peak, moves, kept = self.settle([(2, 1)])
        self.assertEqual((0.5, 1, False), (peak, moves, kept))
        self.assertAlmostEqual(0.5, self.reports['a']['objective'])
        self.assertIn('settled', self.reports['a']['message'])

    def test_zone_below_the_cloud_peak_makes_fewer_moves(self):
        # 0.3 with two moves; the cloud stays at 0.5 with one.
        peak, moves, kept = self.settle([(0, 1), (2, 2)])
        self.assertEqual((0.5, 1, False), (peak, moves, kept))

    def test_zone_without_moves_stays_so(self):
        peak, moves, kept = self.settle([])
        self.assertEqual((0.8, 0, True), (peak, moves, kept))

    def test_zone_at_the_cloud_peak_is_left_alone(self):
        peak, moves, kept = self.settle([(0, 1)])
        self.assertEqual((0.5, 1, True), (peak, moves, kept))
        self.assertNotIn('objective', self.reports['a'])


class TrimTest(_TwoZones):
    """A zone undoes the moves the cloud's peaks do not need, and takes
    the plan of fewer moves it gave up for host patterns the cloud's
    peaks do not show. Zone b ends at 0.6; moving a 3 costs more than
    moving the 2 (RAM follows VCPU)."""

    b_fixed = 5

    def trim(self, moves, fewer_moves):
        a, b = self.zones
        plans = []
        for these in (moves, fewer_moves):
            plans.append(np.array(a.unit_host))
            for u, h in these:
                plans[-1][u] = h
        found = [plans[0], b.unit_host]
        solve._trim(self.zones, found, [plans[1], None], self.models,
                    self.reports, 0.005)
        self.assertIs(b.unit_host, found[1])
        return a.peaks(a.usage_after(found[0]))[0], int(
            np.sum(found[0] != a.unit_host)), found[0] is plans[0]

    def test_fewer_moves_under_the_cloud_peaks_pruned(self):
        # The patterns reach 0.2 moving both 3s, one of them needed under
        # 0.6; the other plan moves the 2 alone.
        peak, moves, kept = self.trim([(0, 1), (1, 2)], [(2, 1)])
        self.assertEqual((0.6, 1, False), (peak, moves, kept))
        report = self.reports['a']
        self.assertAlmostEqual(0.6, report['objective'])
        self.assertIn('no host patterns', report['message'])
        # 0.3 above the zone's bound of 0.3.
        self.assertEqual(result.FEASIBLE, report['status'])

    def test_fewer_moves_above_the_cloud_peaks_left(self):
        # The other plan (no move, 0.8) is above zone b's 0.6: the
        # patterns' plan is kept, one of its moves undone.
        peak, moves, kept = self.trim([(0, 1), (1, 2)], [])
        self.assertEqual((0.5, 1, False), (peak, moves, kept))
        self.assertIn('undone', self.reports['a']['message'])

    def test_no_cheaper_plan_left(self):
        # Pruned, the other plan moves the 2 as the patterns do.
        peak, moves, kept = self.trim([(2, 1)], [(0, 1), (2, 2)])
        self.assertEqual((0.6, 1, True), (peak, moves, kept))
        self.assertNotIn('objective', self.reports['a'])

    def test_moves_under_the_cloud_peaks_undone(self):
        # 0.3 with two moves, no other plan: the 3's is undone under 0.6.
        a, b = self.zones
        found = [np.array(a.unit_host), b.unit_host]
        found[0][[0, 2]] = [1, 2]
        solve._trim(self.zones, found, [None, None], self.models,
                    self.reports, 0.005)
        self.assertEqual([2], list(found[0][found[0] != a.unit_host]))
        self.assertAlmostEqual(0.6, self.reports['a']['objective'])
        self.assertIn('undone', self.reports['a']['message'])
        self.assertIs(b.unit_host, found[1])
