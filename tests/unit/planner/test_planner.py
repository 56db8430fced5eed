"""The pipeline on generated clouds: every plan passes the checker."""

import dataclasses

import fixtures
import testtools

from nova_lb import exception
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb.planner import waves
from nova_lb import scenario
from nova_lb.solver import result

FAST = planner.Options(solver=result.Options(time_limit=2.0))


class PlannerTest(testtools.TestCase):

    def _cloud(self, seed, hosts=30, servers=500):
        document = scenario.generate(hosts, servers, seed=seed)
        return document, snapshot.parse(document)

    def test_generated_clouds_get_valid_balancing_plans(self):
        for seed in range(3):
            document, snap = self._cloud(seed)
            plan = planner.plan(snap, FAST)
            self.assertEqual([], checker.check(document, plan.to_json()))
            self.assertTrue(plan.migrations)
            for rc in ('VCPU', 'MEMORY_MB'):
                self.assertLessEqual(plan.after[rc]['peak'],
                                     plan.before[rc]['peak'])
            self.assertLessEqual(plan.solver['bound'],
                                 plan.solver['objective'] + 1e-9)
            self.assertTrue(plan.left_alone)

    def test_excluded_servers_stay(self):
        _, snap = self._cloud(1)
        moved = {m.server for m in planner.plan(snap, FAST).migrations}
        spared = frozenset(list(moved)[:5])
        plan = planner.plan(snap, dataclasses.replace(
            FAST, exclude_servers=spared))
        self.assertFalse(spared & {m.server for m in plan.migrations})
        self.assertIn('moved recently', plan.left_alone[sorted(spared)[0]])

    def test_drained_host_is_emptied(self):
        document, snap = self._cloud(2)
        plan = planner.plan(snap, FAST)
        host = plan.migrations[0].source
        before = [s.uuid for s in snap.servers if s.host == host
                  and s.uuid not in plan.left_alone]
        drained = planner.plan(snap, dataclasses.replace(
            FAST, drain_hosts=frozenset([host])))
        self.assertEqual([], checker.check(document, drained.to_json()))
        final = {m.server: m.destination for m in drained.migrations}
        self.assertTrue(before)
        for uuid in before:
            self.assertNotEqual(host, final.get(uuid, host))
        self.assertNotIn(host, {m.destination for m in drained.migrations})

    def test_plan_with_violations_is_withheld(self):
        # Waves allowed 4 migrations per host, the checker is told 1.
        real = waves.order
        self.useFixture(fixtures.MonkeyPatch(
            'nova_lb.planner.waves.order',
            lambda c, loc, per_host, per_wave: real(c, loc, 4, per_wave)))
        _, snap = self._cloud(0)
        e = self.assertRaises(exception.InvalidPlan, planner.plan, snap,
                              FAST)
        self.assertIn('withheld', str(e))


class ChurnInputsTest(testtools.TestCase):
    """What the churn policy asks of the planner: gains, pins, a cap."""

    def setUp(self):
        super().setUp()
        self.document = scenario.generate(30, 500, seed=1)
        self.snap = snapshot.parse(self.document)
        self.plan = planner.plan(self.snap, FAST)

    def test_every_move_states_its_marginal_gain(self):
        gains = [m.gain for m in self.plan.migrations]
        self.assertTrue(gains)
        self.assertTrue(all(g >= 0 for g in gains))
        # The plan's total gain shows in some move: the peak host's.
        self.assertGreater(max(gains), 0.0)
        self.assertIn('gain', self.plan.to_json()['migrations'][0])
        self.assertEqual([], checker.check(self.document,
                                           self.plan.to_json()))

    def test_pinned_servers_stay_with_their_reason(self):
        pinned = {m.server: 'min_gain: test' for m in
                  self.plan.migrations[:3]}
        again = planner.plan(self.snap, dataclasses.replace(
            FAST, pinned=tuple(pinned.items())))
        self.assertFalse(set(pinned) & {m.server for m in again.migrations})
        for server in pinned:
            self.assertEqual('min_gain: test', again.left_alone[server])

    def test_imbalance_score_in_the_plan(self):
        document = self.plan.to_json()
        self.assertLess(document['imbalance']['after'],
                        document['imbalance']['before'])
        self.assertTrue(0 <= document['imbalance']['before'] <= 1)
        for rc, stats in document['before'].items():
            self.assertTrue(0 <= stats['imbalance'] <= 1, rc)
