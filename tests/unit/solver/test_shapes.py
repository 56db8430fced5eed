"""The model by server shape: counts map back to valid server moves."""

import time
from unittest import mock

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import cluster as cluster_model
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb import scenario
from nova_lb.solver import aim
from nova_lb.solver import shapes
from nova_lb.solver import zone
from tests.unit.solver import clusters


def _check(test, z, location):
    """Limits and anti-affinity hold, and no server left its zone."""
    usage = z.usage_after(location)
    test.assertTrue(np.all((usage <= z.limit + 1e-9)
                           | (usage <= z.usage + 1e-9)))
    for g, allow in enumerate(z.anti_allow):
        mine = z.unit_group == g
        before = np.bincount(z.unit_host[mine], minlength=len(z.hosts))
        after = np.bincount(location[mine], minlength=len(z.hosts))
        test.assertTrue(np.all(z.anti_count[g] - before + after <= allow))


def _generated(seed):
    """The zones of a generated 20-host cloud: a dozen shapes or more."""
    snap = snapshot.parse(scenario.generate(20, 300, seed=seed))
    return zone.split(build.build(snap, planner.Options().model))[0]


class ShapeModelTest(testtools.TestCase):

    def test_group_members_are_their_own_shape(self):
        # Six 1-vCPU servers on host0, four of them in an anti-affinity
        # group (one per host): host1 and host2 take one member and one
        # other each, host0 keeps two members (it already had four).
        c = clusters.vcpu_only(
            [6, 6, 6], [(0, 1)] * 6,
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   [0, 1, 2, 3])])
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 10, 0.0)
        self.assertEqual(2, len(model.demand))
        location, res = model.min_peak(5.0, gap=0)
        self.assertEqual(0, res.status)
        _check(self, z, location)
        self.assertAlmostEqual(2 / 6, res.fun)
        # Without the rule, three servers per host: a valid bound only.
        merged = shapes.ShapeCountModel(z, 10, 0.0, shapes.MERGED)
        self.assertEqual(1, len(merged.demand))
        self.assertAlmostEqual(2 / 6, merged.relaxed(5.0)[0])
        # Six members: host1 and host2 take one each, host0 keeps four.
        c = clusters.vcpu_only(
            [6, 6, 6], [(0, 1)] * 6,
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   range(6))])
        z = zone.split(c)[0][0]
        location, res = shapes.ShapeCountModel(z, 10, 0.0).min_peak(5.0, gap=0)
        _check(self, z, location)
        self.assertAlmostEqual(4 / 6, res.fun)

    def test_fewest_moves_under_a_cap(self):
        # host0 holds 6 x 1 vCPU; a 0.5 cap needs exactly one to leave.
        c = clusters.vcpu_only([10, 10], [(0, 1)] * 6)
        z = zone.split(c)[0][0]
        location, _ = shapes.ShapeCountModel(z, 10, 0.0).min_churn(
            np.array([0.5, np.inf, np.inf]), 5.0)
        self.assertEqual(1, int(np.sum(location != z.unit_host)))

    def test_cheapest_moves_near_a_plan_when_every_count_runs_out(self):
        # Every count out of time with no plan (faked: the one call that
        # fails on a busy machine; 20 hosts, ``tight``): HiGHS's plan on
        # the counts non-zero now or in ``near`` is kept. It is under the
        # caps, off no other count, and moves far less than ``near``,
        # the lowest peaks chosen for their peaks alone.
        for z in _generated(1):
            model = shapes.ShapeCountModel(z, len(z.units), 1.0)
            near = model.min_peak(5.0)[0]
            self.assertTrue(np.array_equal(
                model.counts(near),
                model.counts(model.locations(model.counts(near)))))
            cap = z.peaks_after(near) + 1e-9
            solve = model._solve

            def timed_out(*args, **kw):
                if kw.get('allowed') is None:
                    return None, mock.Mock(status=1)
                return solve(*args, **kw)

            self.patch(model, '_solve', timed_out)
            location, _ = model.min_churn(cap, 5.0, near=near)
            _check(self, z, location)
            weighted = z.weights > 0
            self.assertTrue(np.all(z.peaks_after(location)[weighted]
                                   <= cap[weighted]))
            allowed = (model.now > 0) | (model.counts(near) > 0)
            self.assertFalse(np.any(model.counts(location)[~allowed]))
            self.assertLess(model.cost_of(location),
                            model.cost_of(near) * 0.7)
            # Without ``near``, nothing.
            self.assertIsNone(model.min_churn(cap, 5.0)[0])

    def test_rounded_plan_of_a_large_zone_is_valid(self):
        # The path of zones too large for the integral model, forced on
        # a small one: the rounded fractional plan.
        c = clusters.random(30, 8, seed=4)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        bound, peaks = model.relaxed(5.0)
        location, exact = aim.reach(z, model, peaks, 0.01,
                                    time.monotonic() + 5.0, whole=0)
        self.assertFalse(exact)
        _check(self, z, location)
        reached = z.weighted(z.peaks(z.usage_after(location)))
        self.assertLess(reached, z.weighted(z.peaks()) - 0.1)
        self.assertGreaterEqual(reached, bound - 1e-9)
        # One 4-vCPU server on a 64-vCPU host is 0.0625.
        self.assertLess(reached, bound + 0.01 + 0.0625)

    def test_rounded_relaxation_when_the_cheapest_plan_runs_out(self):
        # The cheapest fractional plan out of time (faked: the one call
        # that fails on a busy machine): the relaxation's own fractional
        # plan is rounded instead, still valid and near the bound.
        c = clusters.random(30, 8, seed=4)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        bound, peaks = model.relaxed(5.0)
        self.patch(model, 'fractional_churn', lambda *args: None)
        location, exact = aim.reach(z, model, peaks, 0.01,
                                    time.monotonic() + 5.0, whole=0)
        self.assertFalse(exact)
        _check(self, z, location)
        reached = z.weighted(z.peaks(z.usage_after(location)))
        self.assertGreaterEqual(reached, bound - 1e-9)
        # One 4-vCPU server on a 64-vCPU host is 0.0625.
        self.assertLess(reached, bound + 0.01 + 0.0625)
        # Without the relaxation's plan there is nothing to round.
        model.relaxed_counts = None
        self.assertEqual((None, False), aim.reach(
            z, model, peaks, 0.01, time.monotonic() + 5.0, whole=0))

    def test_rounded_plan_under_a_wider_room_when_the_aim_is_missed(self):
        # An aim 0.01 below the relaxation's peaks: no fractional plan
        # within the tolerance of it, and no relaxed counts to round. A
        # plan a few tolerances higher is rounded instead of none.
        c = clusters.random(30, 8, seed=4)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        bound, peaks = model.relaxed(5.0)
        model.relaxed_counts = None
        low = peaks - 0.01
        self.assertIsNone(model.fractional_churn(low + 0.005, 5.0))
        location = aim._rounded(z, model, low, 0.005,
                                time.monotonic() + 5.0)
        _check(self, z, location)
        reached = z.weighted(z.peaks(z.usage_after(location)))
        self.assertGreaterEqual(reached, bound - 1e-9)
        # One 4-vCPU server on a 64-vCPU host is 0.0625.
        self.assertLess(reached, bound + 0.03 + 0.0625)

    def test_rounded_plan_when_the_lowest_integral_peaks_run_out(self):
        # No integral plan within the tolerance of the aim (HiGHS proves
        # it), and the lowest integral peaks above it out of time (faked:
        # HiGHS's best so far may be far above them): the better of the
        # rounded fractional plan and HiGHS's best so far, to polish.
        c = clusters.random(30, 8, seed=4)
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        bound, peaks = model.relaxed(5.0)
        infeasible = mock.Mock(status=2)
        timed_out = mock.Mock(status=1)
        self.patch(model, 'min_churn', lambda *args, **kw: (None, infeasible))
        self.patch(model, 'min_peak',
                   lambda *args, **kw: (z.unit_host, timed_out))
        location, exact = aim.reach(z, model, peaks, 0.01,
                                    time.monotonic() + 5.0)
        self.assertFalse(exact)
        _check(self, z, location)
        reached = z.weighted(z.peaks(z.usage_after(location)))
        self.assertLess(reached, z.weighted(z.peaks()) - 0.1)
        # Proven within HiGHS's gap, its plan is kept.
        self.patch(model, 'min_peak', lambda *args, **kw: (
            z.unit_host, mock.Mock(status=0)))
        location, exact = aim.reach(z, model, peaks, 0.01,
                                    time.monotonic() + 5.0)
        self.assertTrue(exact)
        np.testing.assert_array_equal(z.unit_host, location)

    def test_fractional_plan_leaves_room_for_whole_servers(self):
        # Three 10-vCPU hosts, four 2-vCPU servers on host0, 2 vCPUs
        # fixed on host2; peak cap 0.5 (5 vCPUs). Servers come in 2s, so
        # host0 and host1 hold at most 4 vCPUs and host2 2 more. Without
        # these caps the fractional plan may keep 2.5 servers on host0,
        # and its rounded counts leave the last half nowhere to go.
        c = clusters.vcpu_only([10, 10, 10], [(0, 2)] * 4, fixed=[0, 0, 2])
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 10, 0.0)
        cap = np.array([0.5, np.inf, np.inf])
        matrix, _, upper = model.whole_caps(cap)
        np.testing.assert_array_equal([4, 4, 2], upper)
        x = model.fractional_churn(cap, 5.0)
        loads = np.bincount(model.vh, weights=x * model.demand[model.vk, 0],
                            minlength=3)
        self.assertTrue(np.all(loads <= [4 + 1e-6, 4 + 1e-6, 2 + 1e-6]))
        np.testing.assert_allclose(matrix @ np.r_[x, np.zeros(
            matrix.shape[1] - len(x))], loads)
        # Uncapped classes and demands in fractions (measured load) take
        # no such rows.
        self.assertIsNone(model.whole_caps(np.full(3, np.inf)))
        c = clusters.vcpu_only([10, 10], [(0, 1.5)] * 4)
        model = shapes.ShapeCountModel(zone.split(c)[0][0], 10, 0.0)
        self.assertIsNone(model.whole_caps(cap))

    def test_cheapest_fractional_plan_on_the_likely_counts(self):
        # Once the relaxation ran, the cheapest fractional plan uses only
        # counts that are non-zero now or in the relaxation's plan, and
        # the smallest shapes; all of them when that is infeasible.
        z = _generated(0)[0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        cap = model.relaxed(5.0)[1] + 0.01
        likely = model._likely()
        self.assertTrue(np.any(~likely))
        x = model.fractional_churn(cap, 5.0)
        self.assertTrue(np.all(x[~likely] <= 1e-9))
        self._under(model, x, cap)
        # No plan of the likely counts (faked: none at all), the rest.
        self.patch(model, '_likely',
                   lambda: np.zeros(model.nv, dtype=bool))
        x = model.fractional_churn(cap, 5.0)
        self.assertIsNotNone(x)
        self._under(model, x, cap)

    def test_likely_counts_without_the_whole_caps_before_every_count(self):
        # When the likely counts cannot meet the whole caps (faked: caps
        # no plan meets), the likely counts alone are tried before every
        # count; the LP over every count is the one that runs out of
        # time on 500-host zones.
        z = _generated(0)[0]
        model = shapes.ShapeCountModel(z, len(z.units), 1.0)
        cap = model.relaxed(5.0)[1] + 0.01
        matrix, low, high = model.whole_caps(cap)
        self.patch(model, 'whole_caps',
                   lambda peak_cap: (matrix, low, high - 1e6))
        x = model.fractional_churn(cap, 5.0)
        self.assertIsNotNone(x)
        self.assertTrue(np.all(x[~model._likely()] <= 1e-9))
        self._under(model, x, cap)

    def _under(self, model, x, cap):
        """``x`` keeps every shape's total and every host under ``cap``."""
        np.testing.assert_allclose(
            np.bincount(model.vk, weights=x),
            np.bincount(model.vk, weights=model.now), atol=1e-6)
        z = model.zone
        load = model.base.copy()
        np.add.at(load, model.vh, x[:, None] * model.demand[model.vk])
        util = load[z.accepts] / z.capacity[z.accepts]
        weighted = z.weights > 0
        self.assertTrue(np.all(util[:, weighted] <= cap[weighted] + 1e-6))

    def test_servers_left_over_go_where_the_fractions_were(self):
        # Rounded down, the relaxation's plan leaves servers over; each
        # goes to a host that had a fraction of its shape while one may
        # take it, so no count ends above the fractional one rounded up.
        # Sent where each overshoots least instead, they end elsewhere.
        for seed, z in enumerate(_generated(0) + _generated(1)):
            model = shapes.ShapeCountModel(z, len(z.units), 1.0)
            peaks = model.relaxed(5.0)[1]
            x = model.relaxed_counts
            counts = aim._round(z, model, x, peaks)
            np.testing.assert_array_equal(
                np.bincount(model.vk, weights=counts),
                np.bincount(model.vk, weights=model.now))
            self.assertTrue(np.all(counts >= np.floor(x + 1e-6)), seed)
            self.assertTrue(np.all(counts <= np.ceil(x - 1e-6)), seed)

    def test_prune_target_stays_within_the_tolerance(self):
        # VCPU missed the aim (0.5 for 0.3), memory is below it (0.4 for
        # 0.6), disk has weight 0: memory may rise by the tolerance only,
        # not to the aim, so the weighted peak rises by at most that.
        weights = np.array([0.5, 0.5, 0.0])
        peaks = np.array([0.5, 0.4, 0.9])
        aim_peaks = np.array([0.3, 0.6, 0.0])
        target = aim.prune_target(peaks, aim_peaks, 0.01, weights)
        np.testing.assert_allclose([0.5, 0.41, 0.9], target)
        # Aim met in every weighted class: up to the aim plus tolerance.
        peaks = np.array([0.3, 0.55, 0.9])
        target = aim.prune_target(peaks, aim_peaks, 0.01, weights)
        np.testing.assert_allclose([0.31, 0.61, 0.9], target)

    def test_spread_members_leave_a_drained_host_where_allowed(self):
        # host0 is drained; host1 (3 vCPUs) holds the group's other
        # member and room for one vCPU: the 2-vCPU member can only go to
        # host2, the 1-vCPU server anywhere but host0.
        c = clusters.vcpu_only(
            [10, 3, 10], [(0, 2), (1, 2), (0, 1)],
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   [0, 1])])
        z = zone.split(c, drain=frozenset(['host0']))[0][0]
        model = shapes.ShapeCountModel(z, 10, 0.0, shapes.SPREAD)
        location, _ = model.min_churn(np.full(3, np.inf), 5.0)
        _check(self, z, location)
        self.assertEqual([2, 1], list(location[:2]))
        self.assertNotEqual(0, location[2])

    def _spread_model(self, member_hosts, other_hosts):
        """A SPREAD model of three 10-vCPU hosts with 1-vCPU servers:
        members of one anti-affinity group on ``member_hosts``, other
        servers on ``other_hosts``."""
        servers = [(h, 1) for h in list(member_hosts) + list(other_hosts)]
        c = clusters.vcpu_only(
            [10, 10, 10], servers,
            groups=[clusters.group('g', cluster_model.ANTI_AFFINITY,
                                   range(len(member_hosts)))])
        z = zone.split(c)[0][0]
        model = shapes.ShapeCountModel(z, 10, 0.0, shapes.SPREAD)
        self.assertEqual(1, len(model.demand))
        return z, model

    def _counts(self, model, per_host):
        counts = np.zeros(model.nv, dtype=int)
        for h, n in enumerate(per_host):
            counts[model.vh == h] = n
        return counts

    def test_spread_counts_map_to_members_where_allowed(self):
        # host0's member and other server leave for host1 and host2; the
        # group's other member is on host2, so the member goes to host1
        # (deficits in host order would send it to host2).
        z, model = self._spread_model([0, 2], [0])
        location = model.locations(self._counts(model, [0, 1, 2]))
        _check(self, z, location)
        self.assertEqual([1, 2, 2], list(location))

    def test_spread_counts_without_room_for_a_member_map_to_none(self):
        # Only host0's member leaves, for host1 where the group already
        # has its one member per host: no server can fill that deficit.
        z, model = self._spread_model([0, 1, 2], [])
        self.assertIsNone(model.locations(self._counts(model, [0, 2, 1])))

    def test_large_zone_with_many_groups_plans_members_spread(self):
        # Zones whose groups would make the exact model too large get a
        # SPREAD plan model (forced here on a small zone): the rounded
        # fractional plan moves members, keeps every group's rule,
        # and lands as near the relaxation as rounding a flat zone can.
        rng = np.random.default_rng(3)
        servers, groups = [], []
        for h in range(30):
            for _ in range(16 if h < 15 else 8):
                size = int(rng.choice([1, 2, 4]))
                servers.append((h, (size, size * 4096, size * 20)))
        # Every server of the loaded hosts is in a group of three, one
        # member on each host of a triple: whatever leaves them is a
        # member, and two may not land on one host.
        for k in range(16):
            for t in range(5):
                groups.append(clusters.group(
                    'g%d-%d' % (k, t), cluster_model.ANTI_AFFINITY,
                    [16 * h + k for h in range(3 * t, 3 * t + 3)]))
        c = clusters.make([(64, 262144, 2000)] * 30, servers, groups=groups)
        z = zone.split(c)[0][0]
        self.patch(shapes, 'LARGEST', 0)
        relaxation, model = shapes.models(z, len(z.units), 1.0)
        self.assertTrue(model.spread)
        self.assertEqual(len(z.units), len(model.units))
        bound, peaks = relaxation.relaxed(5.0)
        model.relaxed(5.0)
        location, exact = aim.reach(z, model, peaks, 0.01,
                                    time.monotonic() + 5.0, whole=0)
        self.assertFalse(exact)
        _check(self, z, location)
        self.assertTrue(np.any(location != z.unit_host))
        reached = z.weighted(z.peaks(z.usage_after(location)))
        self.assertGreaterEqual(reached, bound - 1e-9)
        # One 4-vCPU server on a 64-vCPU host is 0.0625.
        self.assertLess(reached, bound + 0.01 + 0.0625)
