"""Each rule of the balancing problem, defined once."""

import ast
import os

import numpy as np
import testtools

from nova_lb.model import constraints
from tests.unit.solver import clusters

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _imports(module):
    """Modules imported by ``nova_lb/<module>.py``."""
    path = os.path.join(_ROOT, 'nova_lb', *module.split('.')) + '.py'
    with open(path) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update('%s.%s' % (node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


class CapacityTest(testtools.TestCase):

    def test_fits_every_class_of_many_servers_on_many_hosts(self):
        usage = np.array([[[4, 10], [8, 2]]], float)         # 1 x 2 x R
        limit = np.array([[8, 10], [8, 1]], float)
        np.testing.assert_array_equal([[True, False]],
                                      constraints.Capacity.fits(usage, limit))
        # Rounding room, no more.
        self.assertTrue(constraints.Capacity.fits(
            np.array([8 + 1e-10]), np.array([8.0])))
        self.assertFalse(constraints.Capacity.fits(
            np.array([8 + 1e-6]), np.array([8.0])))

    def test_within_has_no_rounding_room(self):
        np.testing.assert_array_equal(
            [True, False], constraints.Capacity.within(
                np.array([[8.0, 1.0], [8 + 1e-10, 1.0]]),
                np.array([[8.0, 1.0], [8.0, 1.0]])))

    def test_a_host_over_its_limit_may_keep_what_it_holds(self):
        np.testing.assert_array_equal(
            [[10, 5]], constraints.Capacity.ceiling(np.array([[8, 5]]),
                                                    np.array([[10, 3]])))

    def test_rows_subtract_what_the_hosts_hold(self):
        load, upper = constraints.Capacity.rows('L', np.array([3, 1]),
                                                np.array([8, 8]))
        self.assertEqual('L', load)
        np.testing.assert_array_equal([5, 7], upper)


class AntiAffinityTest(testtools.TestCase):

    def test_allowance_never_asks_to_repair_an_old_violation(self):
        np.testing.assert_array_equal(
            [1, 1, 3], constraints.AntiAffinity.allowance(
                np.array([0, 1, 3]), 1))

    def test_admits_one_more_member_within_the_allowance(self):
        np.testing.assert_array_equal(
            [True, False, False], constraints.AntiAffinity.admits(
                np.array([0, 1, 3]), np.array([1, 1, 3])))
        self.assertTrue(constraints.AntiAffinity.admits(1, 3, n=2))


class ZoneAndPinningTest(testtools.TestCase):

    def test_the_default_zone_is_one_zone(self):
        host_az = (None, 'az1', None)
        self.assertTrue(constraints.SameZone.same(host_az, 0, 2))
        self.assertFalse(constraints.SameZone.same(host_az, 0, 1))

    def test_affinity_members_are_pinned_with_a_reason(self):
        groups = [clusters.group('a', 'affinity', [0, 2]),
                  clusters.group('b', 'anti-affinity', [1])]
        self.assertEqual(
            {'s0': 'member of affinity group a: live migration cannot '
                   'move the group together',
             's2': 'member of affinity group a: live migration cannot '
                   'move the group together'},
            constraints.AffinityPinned.pinned(groups, ('s0', 's1', 's2')))


class DrainTest(testtools.TestCase):

    def test_drained_hosts_give_and_keep_only_what_cannot_move(self):
        accepts = np.array([True, False, False])
        drain = np.array([False, True, False])
        np.testing.assert_array_equal(
            [True, True, False], constraints.Drain.gives(accepts, drain))
        np.testing.assert_array_equal(
            [False, True, True],
            constraints.Drain.must_move(drain, np.array([0, 1, 1])))
        np.testing.assert_array_equal(
            [2, 0], constraints.Drain.keeps(np.array([5, 3]),
                                            np.array([3, 3])))


class OneDefinitionTest(testtools.TestCase):

    def test_every_algorithm_asks_the_constraints(self):
        for module in ('solver.greedy', 'solver.local', 'solver.lns',
                       'solver.aim', 'solver.candidate_moves',
                       'solver.milp', 'solver.shapes', 'solver.zone',
                       'planner.waves'):
            self.assertIn('nova_lb.model.constraints', _imports(module),
                          module)

    def test_the_checker_keeps_its_own_rules(self):
        for module in ('planner.checker', 'planner.rules'):
            imported = _imports(module)
            self.assertNotIn('nova_lb.model.constraints', imported, module)
            self.assertFalse(any(m.startswith('nova_lb.solver')
                                 for m in imported), module)
