"""Most valuable whole servers per kind of room, against enumeration."""

import itertools

import numpy as np
import testtools

from nova_lb.solver import knapsack


def _enumerated(demand, total, room, price):
    """The most worth of whole servers that fit ``room`` in every class,
    by trying every count."""
    best = 0.0
    for counts in itertools.product(*[range(int(t) + 1) for t in total]):
        counts = np.array(counts, dtype=float)
        if np.all(counts @ demand <= room + 1e-9):
            best = max(best, counts @ price)
    return best


def _instance(rng, classes):
    k = int(rng.integers(2, 5))
    demand = rng.integers(1, 6, size=(k, classes)).astype(float)
    total = rng.integers(0, 4, size=k).astype(float)
    kinds = rng.integers(0, 12, size=(int(rng.integers(1, 6)),
                                      classes)).astype(float)
    price = np.round(rng.normal(1.0, 1.0, size=k), 3)
    return demand, total, kinds, price


class KnapsackTest(testtools.TestCase):

    def test_best_on_the_grid(self):
        # Two and three classes, all on the table: every kind's servers
        # fit it and are worth the most any do (200 random instances).
        rng = np.random.default_rng(1)
        for _ in range(200):
            demand, total, kinds, price = _instance(
                rng, int(rng.integers(2, 4)))
            counts, fits, bound = knapsack.best(
                demand, total, kinds, np.ones(demand.shape[1]), price)
            self.assertTrue(fits.all())
            self.assertTrue(np.all(counts <= total))
            for i, room in enumerate(kinds):
                self.assertTrue(np.all(counts[i] @ demand <= room))
                exact = _enumerated(demand, total, room, price)
                self.assertAlmostEqual(exact, counts[i] @ price)
                self.assertAlmostEqual(exact, bound[i])

    def test_a_class_off_the_grid_is_checked_after(self):
        # The third class is not in whole units: the table spans the
        # other two, the kinds whose servers overflow the third are
        # left unanswered, and their worth still bounds any answer.
        rng = np.random.default_rng(2)
        unanswered = 0
        for _ in range(200):
            demand, total, kinds, price = _instance(rng, 3)
            demand[:, 2] += 0.5
            counts, fits, bound = knapsack.best(
                demand, total, kinds, np.array([1.0, 1.0, 0.0]), price)
            for i, room in enumerate(kinds):
                exact = _enumerated(demand, total, room, price)
                self.assertGreaterEqual(bound[i], exact - 1e-9)
                inside = np.all(counts[i] @ demand <= room + 1e-9)
                self.assertEqual(inside, fits[i])
                if fits[i]:
                    self.assertAlmostEqual(exact, counts[i] @ price)
                unanswered += not fits[i]
        self.assertGreater(unanswered, 20)

    def test_no_table_without_whole_units(self):
        demand = np.array([[0.5, 1.5]])
        counts, fits, bound = knapsack.best(
            demand, np.array([3.0]), np.array([[2.0, 2.0]]),
            np.zeros(2), np.array([1.0]))
        self.assertFalse(fits.any())
        self.assertEqual([np.inf], list(bound))
        self.assertEqual(0, counts.sum())

    def test_grid_within_its_limit(self):
        # A class whose grid would pass the limit stays off the table.
        kinds = np.array([[10.0, 10.0 * knapsack._GRID]])
        self.assertEqual([0], knapsack._axes(kinds, np.ones(2)))
