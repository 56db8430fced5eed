"""A reviewed plan judged again on the cloud as it is, on generated
clouds (plain snapshot data)."""

import collections
import dataclasses

import numpy as np
import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import checker
from nova_lb.planner import planner
from nova_lb.planner import recheck
from nova_lb import scenario
from nova_lb.scenario import measured as scenario_measured
from tests.unit.planner import test_planner


class RecheckTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.document = scenario.generate(8, 60, seed=1)
        self.snap = snapshot.parse(self.document)
        self.plan = planner.plan(self.snap, test_planner.FAST)
        self.assertTrue(self.plan.migrations)

    def test_fresh_plan_kept_whole_and_worth_it(self):
        verdict = recheck.recheck(self.snap, self.plan, build.Options(),
                                  checker.Limits())
        self.assertEqual(self.plan.migrations, verdict.plan.migrations)
        self.assertEqual({}, verdict.dropped)
        self.assertGreaterEqual(verdict.gain, 0.02)
        self.assertLess(verdict.after, verdict.now)

    def test_move_of_a_server_opted_out_since_is_dropped(self):
        first = self.plan.migrations[0].server
        for server in self.document['compute']['servers']['servers']:
            if server['id'] == first:
                server['metadata'] = dict(server['metadata'],
                                          **{'nova_lb:movable': 'false'})
        verdict = recheck.recheck(snapshot.parse(self.document), self.plan,
                                  build.Options(),
                                  checker.Limits())
        self.assertIn('it may no longer move: ', verdict.dropped[first])
        self.assertEqual([m.server for m in self.plan.migrations[1:]
                          if m.server not in verdict.dropped],
                         [m.server for m in verdict.plan.migrations])

    def test_no_moves_gain_nothing(self):
        verdict = recheck.recheck(self.snap, dataclasses.replace(
            self.plan, migrations=()), build.Options(),
                                  checker.Limits())
        self.assertEqual((0.0, verdict.now), (verdict.gain, verdict.after))
        self.assertIn('gain in a zone 0.0%', recheck.describe(verdict, 0.02))

    def delete_servers(self, uuids):
        """An admin deleted ``uuids``: gone from Nova and Placement."""
        compute = self.document['compute']['servers']
        compute['servers'] = [s for s in compute['servers']
                              if s['id'] not in uuids]
        for provider in self.document['placement']['providers'].values():
            held = provider['allocations']['allocations']
            for uuid in uuids & set(held):
                del held[uuid]
        return snapshot.parse(self.document)

    def test_moves_whose_purpose_vanished_are_dropped(self):
        # The plan takes servers off its busiest source; then an admin
        # deletes two others there: it is less hot, and some of the moves
        # lower no peak any more.
        busiest, _ = collections.Counter(
            m.source for m in self.plan.migrations).most_common(1)[0]
        planned = {m.server for m in self.plan.migrations}
        snap = self.delete_servers(set(sorted(
            s.uuid for s in self.snap.servers
            if s.host == busiest and s.uuid not in planned)[:2]))
        limits = checker.Limits()
        verdict = recheck.recheck(snap, self.plan, build.Options(), limits)

        kept = verdict.plan.migrations
        # How many moves the planner makes depends on the solver; what
        # matters is that some lost their purpose and every move is either
        # kept or dropped.
        self.assertGreater(len(verdict.dropped), 0)
        self.assertGreater(len(kept), 0)
        self.assertEqual(len(self.plan.migrations),
                         len(kept) + len(verdict.dropped))
        for why in verdict.dropped.values():
            self.assertIn('its purpose vanished: without it the other '
                          'moves reach the same peaks of every resource '
                          'class', why)
        self.assertEqual([m.server for m in self.plan.migrations
                          if m.server not in verdict.dropped],
                         [m.server for m in kept])
        # What is left fits the cloud in its waves...
        self.assertEqual([], checker.check(snap, verdict.plan.to_json(),
                                           limits))
        # ... reaches peaks no higher than the whole plan in any zone, for
        # any class...
        model = build.build(snap)
        stick = recheck._Yardstick(model)
        self.assertTrue(np.all(stick.class_peaks(kept)
                               <= stick.class_peaks(self.plan.migrations)
                               + 1e-9))
        # ... and each move kept is needed: without it some zone's peak of
        # some class is higher, or the rest no longer fits.
        for m in kept:
            without = tuple(k for k in kept if k.server != m.server)
            self.assertTrue(
                np.any(stick.class_peaks(without)
                       > stick.class_peaks(kept) + 1e-9)
                or checker.check(snap, dataclasses.replace(
                    verdict.plan, migrations=without).to_json(), limits),
                m)
        # Its figures are those of the cloud as it is, with the kept moves.
        self.assertEqual(planner.measure(snap, build.Options()),
                         verdict.plan.before)
        self.assertEqual(planner.summary(model, stick.where(kept)),
                         verdict.plan.after)

    def test_measured_load_gives_moves_their_purpose(self):
        # With balance = measured, the weights are on the measured
        # columns: a move lowering only an allocation peak has no purpose,
        # one lowering a measured peak keeps it.
        document = scenario.generate(20, 300, seed=3)
        document['metrics'] = scenario_measured.metrics(document, seed=3)
        snap = snapshot.parse(document)
        measured = build.Options(measured=True)
        plan = planner.plan(snap, planner.Options(
            model=measured, solver=test_planner.FAST.solver))
        limits = checker.Limits()
        verdict = recheck.recheck(snap, plan, measured, limits)
        self.assertIn('measured:VCPU', verdict.plan.after)
        self.assertEqual([], checker.check(snap, verdict.plan.to_json(),
                                           limits))
        model = build.build(snap, measured)
        stick = recheck._Yardstick(model)
        weighed = stick.weights > 0
        self.assertEqual({'measured:VCPU', 'measured:MEMORY_MB'}, {
            rc for rc, w in zip(model.resource_classes, weighed) if w})
        self.assertTrue(np.all(
            stick.class_peaks(verdict.plan.migrations)[:, weighed]
            <= stick.class_peaks(plan.migrations)[:, weighed] + 1e-9))
        self.assertGreaterEqual(verdict.gain, 0.02)
