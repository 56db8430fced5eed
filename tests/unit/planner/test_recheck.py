"""A reviewed plan judged again on the cloud as it is, on generated
clouds (plain snapshot data)."""

import dataclasses

import testtools

from nova_lb.model import build
from nova_lb.model import snapshot
from nova_lb.planner import planner
from nova_lb.planner import recheck
from nova_lb import scenario
from tests.unit.planner import test_planner


class RecheckTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.document = scenario.generate(8, 60, seed=1)
        self.snap = snapshot.parse(self.document)
        self.plan = planner.plan(self.snap, test_planner.FAST)
        self.assertTrue(self.plan.migrations)

    def test_fresh_plan_kept_whole_and_worth_it(self):
        verdict = recheck.recheck(self.snap, self.plan, build.Options())
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
                                  build.Options())
        self.assertEqual([first], list(verdict.dropped))
        self.assertIn('it may no longer move: ', verdict.dropped[first])
        self.assertEqual(self.plan.migrations[1:], verdict.plan.migrations)

    def test_no_moves_gain_nothing(self):
        verdict = recheck.recheck(self.snap, dataclasses.replace(
            self.plan, migrations=()), build.Options())
        self.assertEqual((0.0, verdict.now), (verdict.gain, verdict.after))
        self.assertIn('gain in a zone 0.0%', recheck.describe(verdict, 0.02))
