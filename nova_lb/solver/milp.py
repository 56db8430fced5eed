"""The exact model of one zone, solved by HiGHS through scipy's ``milp``.

Variables are moves, not placements: ``m[p] = 1`` moves unit ``pu[p]`` to
host ``pd[p]``; a unit with no move stays. Only candidate moves get a
variable (:mod:`nova_lb.solver.candidate_moves`), which keeps the model sparse.
``P[r]`` is the peak utilisation of resource class ``r`` over the hosts
that count. Constraints:

* each unit moves at most once;
* a destination stays within its limit, with what leaves subtracted;
* every counted host's utilisation is at most ``P[r]``;
* an anti-affinity group never has more members on a host than allowed;
* at most ``budget`` moves.

It minimises the weighted peak of small zones when the model by server
shape (:mod:`nova_lb.solver.shapes`) found nothing; time-limited, it
returns whatever HiGHS found, and failure is a status.
"""

import numpy as np
from scipy import optimize
from scipy import sparse


class CandidateMoveModel(object):
    """The constraint matrix of one zone's candidate moves."""

    def __init__(self, zone, pu, pd, budget):
        self.zone, self.pu, self.pd = zone, pu, pd
        self.n = n = len(pu)
        self.rcs = np.flatnonzero(zone.weights > 0)
        src = zone.unit_host[pu]
        cols = np.arange(n)
        blocks, lbs, ubs = [], [], []

        def add(matrix, ub):
            blocks.append(sparse.csr_matrix(matrix))
            lbs.append(np.full(matrix.shape[0], -np.inf))
            ubs.append(np.asarray(ub, dtype=float))

        dests = np.unique(pd)
        touched = np.zeros(len(zone.hosts), dtype=bool)
        touched[src] = touched[dests] = True
        # Hosts no move touches still count for the peak, as constants.
        self.floor = np.where(
            np.any(zone.accepts & ~touched), zone.util()[
                zone.accepts & ~touched].max(axis=0, initial=0.0), 0.0)
        for r in range(len(zone.weights)):
            dem = zone.unit_demand[pu, r]
            flow = sparse.coo_matrix(
                (np.concatenate([-dem, dem]),
                 (np.concatenate([src, pd]), np.concatenate([cols, cols]))),
                shape=(len(zone.hosts), n)).tocsr()
            add(sparse.hstack([flow[dests], sparse.csr_matrix(
                (len(dests), len(self.rcs)))]),
                zone.limit[dests, r] - zone.usage[dests, r])
            if r in self.rcs:
                rows = np.flatnonzero(touched & zone.accepts
                                      & (zone.capacity[:, r] > 0))
                scale = sparse.diags(1.0 / zone.capacity[rows, r])
                peak = np.zeros((len(rows), len(self.rcs)))
                peak[:, list(self.rcs).index(r)] = -1.0
                add(sparse.hstack([scale @ flow[rows], peak]),
                    -zone.usage[rows, r] / zone.capacity[rows, r])
        once = sparse.coo_matrix((np.ones(n), (pu, cols)),
                                 shape=(len(zone.units), n))
        add(sparse.hstack([once, sparse.csr_matrix(
            (len(zone.units), len(self.rcs)))]), np.ones(len(zone.units)))
        # Units on a host being drained move exactly once.
        lbs[-1] = np.where(zone.must_move(), 1.0, -np.inf)
        for g, allow in enumerate(zone.anti_allow):
            mine = zone.unit_group[pu] == g
            if not mine.any():
                continue
            ones = np.ones(mine.sum())
            member = sparse.coo_matrix(
                (np.concatenate([-ones, ones]),
                 (np.concatenate([src[mine], pd[mine]]),
                  np.concatenate([cols[mine], cols[mine]]))),
                shape=(len(zone.hosts), n)).tocsr()
            rows = np.unique(pd[mine])
            add(sparse.hstack([member[rows], sparse.csr_matrix(
                (len(rows), len(self.rcs)))]),
                allow[rows] - zone.anti_count[g][rows])
        add(np.concatenate([np.ones(n), np.zeros(len(self.rcs))])[None, :],
            [budget])
        self.matrix = sparse.vstack(blocks).tocsr()
        self.lb = np.concatenate(lbs)
        self.ub = np.concatenate(ubs)

    def solve(self, cost, peak_cap, time_limit):
        """``(unit_host or None, res)`` minimising ``cost . [m, P]``."""
        floor = self.floor[self.rcs]
        cap = peak_cap[self.rcs]
        if np.any(floor > cap + 1e-9):
            return None, None
        res = optimize.milp(
            cost,
            integrality=np.concatenate([np.ones(self.n),
                                        np.zeros(len(self.rcs))]),
            bounds=optimize.Bounds(
                np.concatenate([np.zeros(self.n), floor]),
                np.concatenate([np.ones(self.n), cap])),
            constraints=optimize.LinearConstraint(self.matrix, self.lb,
                                                  self.ub),
            options={'time_limit': max(time_limit, 0.05), 'disp': False})
        if res.x is None:
            return None, res
        location = np.array(self.zone.unit_host)
        chosen = res.x[:self.n] > 0.5
        location[self.pu[chosen]] = self.pd[chosen]
        return location, res

    def min_peak(self, time_limit):
        """Stage 1: the lowest weighted peak."""
        cost = np.concatenate([np.zeros(self.n),
                               self.zone.weights[self.rcs]])
        return self.solve(cost, np.full(len(self.zone.weights), np.inf),
                          time_limit)


def move_costs(zone, units, migration_cost):
    """Cost of moving each unit: one, plus its RAM in mean servers' worth.

    Counting migrations favours moving one big server over two small ones;
    the RAM term (a live migration copies the RAM, and a big guest takes
    long to converge) makes a big server move only when that pays.
    """
    sizes = np.array([len(u) for u in zone.units])
    mean = zone.unit_ram.sum() / max(sizes.sum(), 1) or 1.0
    return 1.0 + migration_cost * zone.unit_ram[units] / mean
