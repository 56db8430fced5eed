"""The exact model of one zone, solved by HiGHS through scipy's ``milp``.

Variables are moves, not placements: ``m[p] = 1`` moves unit ``pu[p]`` to
host ``pd[p]``; a unit with no move stays. Only candidate moves get a
variable (:mod:`nova_lb.solver.candidate_moves`), which keeps the model
sparse. ``P[r]`` is the peak utilisation of resource class ``r`` over the
hosts that count. Constraints, one method each:

* each unit moves at most once, a unit on a drained host exactly once;
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

from nova_lb.model import constraints


class CandidateMoveModel(object):
    """One zone's candidate moves, one binary each, and the peak per
    weighted class; the rules are :mod:`nova_lb.model.constraints`."""

    def __init__(self, zone, pu, pd, budget):
        self.zone, self.pu, self.pd = zone, pu, pd
        self.n = len(pu)
        self.rcs = np.flatnonzero(zone.weights > 0)
        self.src = zone.unit_host[pu]
        self.dests = np.unique(pd)
        touched = np.zeros(len(zone.hosts), dtype=bool)
        touched[self.src] = touched[self.dests] = True
        # Hosts no move touches still count for the peak, as constants.
        self.floor = np.where(
            np.any(zone.accepts & ~touched), zone.util()[
                zone.accepts & ~touched].max(axis=0, initial=0.0), 0.0)
        blocks = []
        for r in range(len(zone.weights)):
            flow = self._flow(zone.unit_demand[pu, r])
            blocks.append(self._capacity(flow, r))
            if r in self.rcs:
                blocks.append(self._peak(flow, r, touched))
        blocks.append(self._once_and_drain())
        blocks.extend(self._anti_affinity())
        blocks.append(self._budget(budget))
        self.matrix = sparse.vstack([b[0] for b in blocks]).tocsr()
        self.lb = np.concatenate([b[1] for b in blocks])
        self.ub = np.concatenate([b[2] for b in blocks])

    def _flow(self, amount):
        """(hosts, moves): what each move takes off its source (``-``)
        and adds to its destination, ``amount`` per move."""
        cols = np.arange(self.n)
        return sparse.coo_matrix(
            (np.concatenate([-amount, amount]),
             (np.concatenate([self.src, self.pd]),
              np.concatenate([cols, cols]))),
            shape=(len(self.zone.hosts), self.n)).tocsr()

    def _no_peak(self, rows):
        """The peak columns of ``rows`` rows that do not involve them."""
        return sparse.csr_matrix((rows, len(self.rcs)))

    def _capacity(self, flow, r):
        """:class:`~nova_lb.model.constraints.Capacity` of class ``r`` on
        every destination (all of them receive, so their ceiling is their
        limit), with what leaves subtracted."""
        z, dests = self.zone, self.dests
        matrix, upper = constraints.Capacity.rows(
            flow[dests], z.usage[dests, r], z.limit[dests, r])
        return _block(sparse.hstack([matrix, self._no_peak(len(dests))]),
                      upper)

    def _peak(self, flow, r, touched):
        """Every counted host a move touches is at most ``P[r]``."""
        z = self.zone
        rows = np.flatnonzero(touched & z.accepts & (z.capacity[:, r] > 0))
        scale = sparse.diags(1.0 / z.capacity[rows, r])
        peak = np.zeros((len(rows), len(self.rcs)))
        peak[:, list(self.rcs).index(r)] = -1.0
        return _block(sparse.hstack([scale @ flow[rows], peak]),
                      -z.usage[rows, r] / z.capacity[rows, r])

    def _once_and_drain(self):
        """Each unit moves at most once, and a unit on a host being
        drained (:class:`~nova_lb.model.constraints.Drain`) exactly once."""
        z = self.zone
        once = sparse.coo_matrix((np.ones(self.n), (self.pu,
                                                    np.arange(self.n))),
                                 shape=(len(z.units), self.n))
        matrix, lower, upper = _block(sparse.hstack(
            [once, self._no_peak(len(z.units))]), np.ones(len(z.units)))
        return matrix, np.where(z.must_move(), 1.0, -np.inf), upper

    def _budget(self, budget):
        """At most ``budget`` moves."""
        return _block(np.concatenate(
            [np.ones(self.n), np.zeros(len(self.rcs))])[None, :], [budget])

    def _anti_affinity(self):
        """:class:`~nova_lb.model.constraints.AntiAffinity` on every
        destination of a group's members."""
        z, cols = self.zone, np.arange(self.n)
        for g, allow in enumerate(z.anti_allow):
            mine = z.unit_group[self.pu] == g
            if not mine.any():
                continue
            ones = np.ones(mine.sum())
            member = sparse.coo_matrix(
                (np.concatenate([-ones, ones]),
                 (np.concatenate([self.src[mine], self.pd[mine]]),
                  np.concatenate([cols[mine], cols[mine]]))),
                shape=(len(z.hosts), self.n)).tocsr()
            rows = np.unique(self.pd[mine])
            matrix, upper = constraints.AntiAffinity.rows(
                member[rows], z.anti_count[g][rows], allow[rows])
            yield _block(sparse.hstack([matrix, self._no_peak(len(rows))]),
                         upper)

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


def _block(matrix, upper):
    """``(csr rows, lower, upper)`` of rows ``matrix @ x <= upper``."""
    return (sparse.csr_matrix(matrix), np.full(matrix.shape[0], -np.inf),
            np.asarray(upper, dtype=float))
