"""The exact model of a zone by server shape, solved by HiGHS.

Servers with the same demand (the same flavor) and the same anti-affinity
group are interchangeable for capacity, peaks, group rules and migration
cost, so the model counts them instead of placing each one: ``n[k, h]``
servers of shape ``k`` end on host ``h``, ``c[k, h]`` are there now and
``m[k, h] >= c[k, h] - n[k, h]`` of them leave it. A zone of 100,000
servers in 20 flavors on 2,500 hosts has 50,000 counts instead of a
quarter of a billion binaries, and the model is still exact: any counts
map back to concrete servers (:meth:`ShapeCountModel.locations`), so
HiGHS's dual bound is a proven bound on the best peak a plan can reach.

Constraints: each shape's total is kept; a host that does not receive
only loses (a drained one keeps nothing); a receiving host stays within
its limit and within each anti-affinity group's allowance; every counted
host's utilisation is at most ``P[r]``; at most ``budget`` servers leave.
Stage 1 minimises the weighted peak, stage 2 the migration cost with the
peaks capped; both are time-limited and failure is a ``None`` answer.
"""

import time

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.model import constraints
from nova_lb.solver import clock
from nova_lb.solver import milp


#: How a model treats anti-affinity members: one shape per group and
#: flavor (exact); with everyone else, the group rule dropped (a
#: relaxation: its bound stays valid); or with everyone else, the rule
#: kept when counts map to servers (plans valid, or none: see
#: :meth:`ShapeCountModel.locations`).
EXACT, MERGED, SPREAD = 'exact', 'merged', 'spread'
#: Largest exact model, in count variables: beyond it, many anti-affinity
#: groups times thousands of hosts outlast even the linear relaxation.
LARGEST = 60000
#: Zones of at least this many hosts take their linear programmes to
#: HiGHS's interior point method, smaller ones to its dual simplex (see
#: :meth:`ShapeCountModel._linear`).
IPM_HOSTS = 500
#: ``scipy.optimize.milp`` and ``linprog`` status of a programme proven
#: infeasible.
INFEASIBLE = 2


def models(zone, budget, migration_cost):
    """``(relaxation model, plan model)``: one exact model if small."""
    receives = int(zone.receives.sum())
    movable = constraints.Drain.gives(zone.accepts, zone.drain)[
        zone.unit_host]
    kinds = len(np.unique(np.column_stack([
        zone.unit_demand[movable], zone.unit_group[movable]]), axis=0))
    if kinds * receives <= LARGEST:
        model = ShapeCountModel(zone, budget, migration_cost)
        return model, model
    # Members kept still would hold the zone far above the relaxation
    # when groups are many (40 per 1,000 servers on 1,000 hosts: 0.53
    # where the relaxation is at 0.41), while a group's few members are
    # nearly always free to spread over hundreds of hosts.
    return (ShapeCountModel(zone, budget, migration_cost, MERGED),
            ShapeCountModel(zone, budget, migration_cost, SPREAD))


class ShapeCountModel(object):
    """One zone's servers counted per shape and host, what leaves each
    host and the peak per weighted class; the rules are
    :mod:`nova_lb.model.constraints`, one method each.

    Columns: the counts ``n`` (``nv``), the leavers ``m`` (``nl``), the
    peaks ``P`` (one per weighted class).
    """

    def __init__(self, zone, budget, migration_cost, groups=EXACT):
        self.zone = zone
        self.spread = groups == SPREAD
        #: The counts of :meth:`relaxed`'s fractional plan, within the
        #: plan's column bounds, once it ran.
        self.relaxed_counts = None
        self._count_shapes(groups)
        self._bounds(groups, migration_cost)
        blocks = [self._totals()]
        for r in range(self.demand.shape[1]):
            load = self._load(r)
            blocks.append(self._capacity(load, r))
            if r in self.rcs:
                blocks.append(self._peak(load, r))
        blocks.append(self._leavers())
        self.budget_row = sum(len(b[1]) for b in blocks)
        blocks.append(self._budget(budget))
        blocks.extend(self._anti_affinity())
        self.matrix = sparse.vstack([b[0] for b in blocks]).tocsr()
        self.lo = np.concatenate([b[1] for b in blocks])
        self.hi = np.concatenate([b[2] for b in blocks])

    def _count_shapes(self, groups):
        """Shapes, the servers' counts now and which counts get a
        variable: only where a shape is now or may arrive."""
        z = self.zone
        movable = constraints.Drain.gives(z.accepts, z.drain)[z.unit_host]
        self.units = np.flatnonzero(movable)
        key = np.column_stack([z.unit_demand[self.units], np.where(
            groups in (MERGED, SPREAD), -1, z.unit_group[self.units])])
        shapes, self.shape_of = np.unique(key, axis=0, return_inverse=True)
        self.shape_of = self.shape_of.ravel()
        self.demand = shapes[:, :-1]
        self.group = shapes[:, -1].astype(int)
        self.counts_now = self._per_host(z.unit_host)
        self.base = z.usage - self.counts_now.T @ self.demand
        self.vk, self.vh = np.nonzero((self.counts_now > 0)
                                      | z.accepts[None, :])
        self.now = self.counts_now[self.vk, self.vh]
        self.nv, self.rcs = len(self.vk), np.flatnonzero(z.weights > 0)

    def _bounds(self, groups, migration_cost):
        """Column bounds and the leavers' migration costs.

        A host that does not receive only loses, a drained one keeps
        nothing (:class:`~nova_lb.model.constraints.Drain`).
        """
        z = self.zone
        upper = np.where(z.receives[self.vh], np.inf, self.now)
        upper[constraints.Drain.must_move(z.drain, self.vh)] = 0
        # Plans let a host over its limit only lose (a restriction); the
        # relaxation lets it receive, see :meth:`relaxed`.
        self.over = z.accepts[self.vh] & ~z.receives[self.vh]
        # Leavers: one continuous variable per count that is non-zero now
        # (none in a relaxation: it has no budget and never counts moves).
        self.lv = np.flatnonzero((self.now > 0) & (groups != MERGED))
        self.nl = len(self.lv)
        self.unit_cost = milp.move_costs(z, np.arange(len(z.units)),
                                         migration_cost)
        self.cost = self.unit_cost[self.units[np.unique(
            self.shape_of, return_index=True)[1]]][self.vk[self.lv]]
        ncol = self.nv + self.nl + len(self.rcs)
        self.lower = np.zeros(ncol)
        self.upper = np.concatenate([upper, self.now[self.lv],
                                     np.full(len(self.rcs), np.inf)])
        self.integrality = np.concatenate([np.ones(self.nv),
                                           np.zeros(ncol - self.nv)])

    def _load(self, r):
        """(hosts, counts) csr: what each count puts on its host in class
        ``r``."""
        return sparse.coo_matrix(
            (self.demand[self.vk, r], (self.vh, np.arange(self.nv))),
            shape=(len(self.zone.hosts), self.nv)).tocsr()

    def _block(self, matrix, low, high):
        """``(csr rows, lower, upper)`` padded to every column."""
        return (sparse.csr_matrix(matrix, shape=(
            matrix.shape[0], len(self.upper))),
            np.broadcast_to(low, matrix.shape[0]),
            np.broadcast_to(high, matrix.shape[0]))

    def _totals(self):
        """Each shape's total is kept."""
        total = self.counts_now.sum(axis=1)
        return self._block(sparse.coo_matrix(
            (np.ones(self.nv), (self.vk, np.arange(self.nv))),
            shape=(len(self.demand), self.nv)), total, total)

    def _capacity(self, load, r):
        """:class:`~nova_lb.model.constraints.Capacity` of class ``r`` on
        every counted host, up to its ceiling."""
        z = self.zone
        acc = np.flatnonzero(z.accepts)
        matrix, upper = constraints.Capacity.rows(
            load[acc], self.base[acc, r],
            constraints.Capacity.ceiling(z.limit, z.usage)[acc, r])
        return self._block(matrix, -np.inf, upper)

    def _peak(self, load, r):
        """Every counted host's utilisation of class ``r`` is at most
        ``P[r]``."""
        z, ncol = self.zone, len(self.upper)
        peak = np.flatnonzero(z.accepts & (z.capacity[:, r] > 0))
        inv = sparse.diags(1.0 / z.capacity[peak, r])
        p = sparse.coo_matrix(
            (-np.ones(len(peak)), (np.arange(len(peak)), np.full(
                len(peak), ncol - len(self.rcs)
                + list(self.rcs).index(r)))),
            shape=(len(peak), ncol)).tocsr()
        return self._block(sparse.hstack([inv @ load[peak], sparse.csr_matrix(
            (len(peak), ncol - self.nv))]) + p, -np.inf,
            -self.base[peak, r] / z.capacity[peak, r])

    def _leavers(self):
        """``m >= c - n``: what leaves a host, for the budget and cost."""
        return self._block(sparse.hstack([
            sparse.coo_matrix((np.ones(self.nl), (np.arange(self.nl),
                                                  self.lv)),
                              shape=(self.nl, self.nv)),
            sparse.identity(self.nl)]), self.now[self.lv], np.inf)

    def _budget(self, budget):
        """At most ``budget`` servers leave their host."""
        return self._block(sparse.hstack([
            sparse.csr_matrix((1, self.nv)), np.ones((1, self.nl))]),
            -np.inf, budget)

    def _anti_affinity(self):
        """:class:`~nova_lb.model.constraints.AntiAffinity` on every host
        that receives, for each group with a shape of its own."""
        z = self.zone
        recv = np.flatnonzero(z.receives)
        cols = np.arange(self.nv)
        for g, allow in enumerate(z.anti_allow):
            mine = (self.group[self.vk] == g) & z.receives[self.vh]
            if not mine.any():
                continue
            # Members the model does not count stay where they are.
            here = self.counts_now[self.group == g].sum(axis=0)
            members = sparse.coo_matrix(
                (np.ones(mine.sum()), (self.vh[mine], cols[mine])),
                shape=(len(z.hosts), self.nv)).tocsr()[recv]
            matrix, upper = constraints.AntiAffinity.rows(
                members, (z.anti_count[g] - here)[recv], allow[recv])
            yield self._block(matrix, -np.inf, upper)

    def column_upper(self, peak_cap, relax=False):
        """Upper bounds of the columns with the peaks capped at
        ``peak_cap`` (R,); with ``relax``, a host over its limit may
        receive (the relaxation's rule, see :meth:`relaxed`)."""
        upper = np.array(self.upper)
        upper[self.nv + self.nl:] = peak_cap[self.rcs]
        if relax:
            upper[:self.nv][self.over] = np.inf
        return upper

    def _solve(self, cost, peak_cap, time_limit, gap, integral=True,
               relax=False, floor=None, rows=None, allowed=None):
        """``(locations, HiGHS result)`` minimising ``cost`` over the
        columns; locations only for an integral plan, ``(None, None)``
        when the bounds alone leave no plan.

        ``peak_cap``, ``relax``: see :meth:`column_upper`; ``floor`` (R,):
        lower ends of the peak columns; ``rows``: extra rows (see
        :meth:`_linear`, linear only); ``allowed`` (nv,) bool: the counts
        that may be non-zero, all when None.
        """
        upper = self.column_upper(peak_cap, relax)
        if allowed is not None:
            upper[:self.nv][~allowed] = 0.0
        lower = np.array(self.lower)
        if floor is not None:
            lower[self.nv + self.nl:] = floor[self.rcs]
        if np.any(upper < lower - 1e-12):
            return None, None
        if not integral:
            return None, self._linear(cost, lower, upper, time_limit, rows)
        res = optimize.milp(
            cost, integrality=self.integrality,
            bounds=optimize.Bounds(lower, upper),
            constraints=optimize.LinearConstraint(self.matrix, self.lo,
                                                  self.hi),
            options={'time_limit': max(time_limit, 0.05), 'disp': False,
                     'mip_rel_gap': gap})
        if res.x is None:
            return None, res
        return self.locations(np.round(res.x[:self.nv]).astype(int)), res

    def _linear(self, cost, lower, upper, time_limit, rows=None):
        """The relaxation by HiGHS's interior point method on zones of
        :data:`IPM_HOSTS` hosts and more, where it is two to three times
        as fast as the dual simplex (a 2,500-host zone: 4 s against 10);
        by the dual simplex on smaller ones, where the interior point
        method is up to ten times slower (a 100-host zone with hundreds
        of anti-affinity groups, a row per group and host: 4 s against
        0.4) and never faster. ``rows``: a :meth:`_block` of extra rows
        with no lower end."""
        equal = self.lo == self.hi
        above = ~equal & np.isfinite(self.hi)
        below = ~equal & np.isfinite(self.lo)
        extra, _, extra_hi = rows if rows is not None else (
            sparse.csr_matrix((0, len(cost))), None, np.zeros(0))
        return optimize.linprog(
            cost, A_ub=sparse.vstack([self.matrix[above],
                                      -self.matrix[below], extra]),
            b_ub=np.concatenate([self.hi[above], -self.lo[below],
                                 extra_hi]),
            A_eq=self.matrix[equal], b_eq=self.lo[equal],
            bounds=np.column_stack([lower, upper]),
            method=('highs-ipm' if len(self.zone.hosts) >= IPM_HOSTS
                    else 'highs-ds'),
            options={'time_limit': max(time_limit, 0.05)})

    def fractional_churn(self, peak_cap, time_limit):
        """Counts of the cheapest fractional plan under the caps, or None.

        Each host also stays within :meth:`whole_caps`: its counts rounded
        down then leave it room for whole servers, where the ones left
        over go (5,000 hosts: the rounded plan polished to a weighted
        peak of 0.4148 instead of 0.4187, 0.009 above the bound).

        Once :meth:`relaxed` ran, only :meth:`_likely` counts may be
        non-zero: a restriction, for plans only. On the 500-host zones of
        1,000-host clouds it takes 0.5-0.9 s instead of 2.3-2.4
        (``mixed``, ``large``), time the rounded plan's polish needs, and
        the rounded plans are as high. Where the restriction and the
        whole caps together are infeasible, the restriction alone is
        tried next, every count last: the full LP is the one that runs out
        of time, leaving only the relaxation's counts to round (1,000
        hosts, ``mixed``, seed 100: 9,060 migrations to 0.5519 instead of
        6,037 to 0.5356).
        """
        cost = np.zeros(len(self.upper))
        cost[self.nv:self.nv + self.nl] = self.cost
        deadline = time.monotonic() + time_limit
        caps = self.whole_caps(peak_cap)
        tries = []
        if self.relaxed_counts is not None:
            likely = self._likely()
            tries.append((likely, caps))
            if caps is not None:
                tries.append((likely, None))
        tries.append((None, caps))
        for allowed, rows in tries:
            res = self._solve(cost, peak_cap, clock.left(deadline), 0.0,
                              integral=False, rows=rows, allowed=allowed)[1]
            if res is not None and res.status != INFEASIBLE:
                break
        return None if res is None or res.status != 0 else res.x[:self.nv]

    def _likely(self):
        """(nv,) bool: the counts a cheap plan under the relaxation's
        peaks needs: the ones non-zero now (servers that stay) or in the
        relaxation's plan (where they can go), and every host's counts
        of the smallest shape in each weighted class, which fill it up to
        its :meth:`whole_caps` (without them no plan of these counts may
        be within those caps: 1,000 hosts, ``mixed``, seed 100)."""
        demand = self.demand[:, self.rcs]
        smallest = np.any(demand == demand.min(axis=0), axis=1)
        return ((self.now > 0) | (self.relaxed_counts > 1e-9)
                | smallest[self.vk])

    def whole_caps(self, peak_cap):
        """Rows (a :meth:`_block`) keeping each host within ``peak_cap``
        (R,) in whole servers, or None.

        In a weighted class whose demands are whole numbers (not measured
        load), what the counts put on a host is a multiple of ``g``, the
        greatest common divisor of the demands that may be there (1 vCPU,
        512 MB). Under a peak cap ``p`` a host of capacity ``c`` and fixed
        load ``base`` so holds at most ``g * floor((p * c - base) / g)``
        of it. Integral plans under the cap obey these rows anyway; a
        fractional plan need not (0.4 vCPU above the last whole one on
        every host), and its rounded counts would leave room for no
        whole server anywhere. Caps are a plan's restriction: the
        relaxation that gives the bound never takes these rows.
        """
        z = self.zone
        rows, upper = [], []
        for r in self.rcs:
            demand = self.demand[self.vk, r]
            if (not np.isfinite(peak_cap[r])
                    or np.any(demand != np.round(demand))):
                continue
            g = np.zeros(len(z.hosts), dtype=np.int64)
            np.gcd.at(g, self.vh, np.round(demand).astype(np.int64))
            hosts = np.flatnonzero(z.accepts & (z.capacity[:, r] > 0)
                                   & (g > 0))
            unit = g[hosts]
            upper.append(unit * np.floor(
                (peak_cap[r] * z.capacity[hosts, r] - self.base[hosts, r])
                / unit + 1e-9))
            rows.append(self._load(r)[hosts])
        if not rows:
            return None
        return self._block(sparse.vstack(rows), -np.inf,
                           np.concatenate(upper))

    def min_peak(self, time_limit, gap=0.02, floor=None):
        """Stage 1: ``(unit_host or None, res)`` with the lowest peak.

        :param floor: (R,) peaks the cloud reaches anyway (other zones'):
            going below them gains nothing, so the weighted peak minimised
            is that of the higher of the two, class by class.
        """
        cost = np.zeros(len(self.upper))
        cost[self.nv + self.nl:] = self.zone.weights[self.rcs]
        return self._solve(cost, np.full(len(self.zone.weights), np.inf),
                           time_limit, gap, floor=floor)

    def relaxed(self, time_limit):
        """``(bound, peaks)`` of fractional counts, or ``(None, None)``.

        The lowest weighted peak of the relaxation is a proven bound, and
        its peaks per class are where stage 2 aims: close above them, an
        integral plan is usually found in a second or two.

        It is the linear relaxation of the problem as the plan checker
        states it, with one cut and no restriction: a host over its limit
        now may receive servers once it ends within its limit, so the
        relaxation lets it, under the *over-limit cut* (valid for every
        integral plan: such a host either receives nothing and ends at
        most at its usage now, or ends within its limit, so it never ends
        above the higher of the two). Nothing chosen for speed (aims,
        candidate hosts, members kept still) enters it.
        """
        x = self._relaxation(time_limit)
        if x is None:
            return None, None
        self.keep_relaxed(x)
        peaks = np.zeros(len(self.zone.weights))
        peaks[self.rcs] = x[self.nv + self.nl:]
        return float(self.zone.weights[self.rcs] @ peaks[self.rcs]), peaks

    def relaxed_above(self, floor, time_limit):
        """``(peaks (R,), columns)`` of the relaxation's lowest weighted
        peak of the higher of its peaks and ``floor`` (R,), class by
        class, or ``(None, None)``.

        ``floor``: the peaks the other zones reach anyway. Not a bound
        (a zone may go below it), but a point the zone can reach with
        them: see :func:`nova_lb.solver.joint.aim`, which hands the
        columns to :meth:`keep_relaxed` when it takes the peaks. The
        peaks are the counts' own, below the floor where they are (the
        peak columns are lifted to it).
        """
        x = self._relaxation(time_limit, floor)
        if x is None:
            return None, None
        z = self.zone
        peaks = np.zeros(len(z.weights))
        for r in self.rcs:
            hosts = np.flatnonzero(z.accepts & (z.capacity[:, r] > 0))
            peaks[r] = np.max((self._load(r)[hosts] @ x[:self.nv]
                               + self.base[hosts, r]) / z.capacity[hosts, r],
                              initial=0.0)
        return peaks, x

    def keep_relaxed(self, x):
        """Keep the counts of relaxation columns ``x`` as
        :attr:`relaxed_counts`, the plan rounded when the cheapest
        fractional plan runs out of time: they must be under the aim the
        zone plans for, so only the columns whose peaks set it."""
        # A host over its limit may not receive in a plan: it keeps at
        # most its own (rounding places the rest).
        self.relaxed_counts = np.minimum(x[:self.nv], self.upper[:self.nv])

    def _relaxation(self, time_limit, floor=None):
        """The columns of :meth:`relaxed`'s linear programme, its peaks
        at least ``floor`` (R,), or None."""
        cost = np.zeros(len(self.upper))
        cost[self.nv + self.nl:] = self.zone.weights[self.rcs]
        res = self._solve(cost, np.full(len(self.zone.weights), np.inf),
                          time_limit, 0.0, integral=False, relax=True,
                          floor=floor)[1]
        if res is None or res.status != 0:
            return None
        return res.x

    def min_churn(self, peak_cap, time_limit, gap=0.02, near=None):
        """Stage 2: the cheapest moves keeping the peaks under caps.

        :param near: locations of a plan (under the caps, usually): HiGHS
            first takes only the counts non-zero now or in it, a
            restriction where ``near`` is a plan from the start, then
            every count in the time left, and the cheaper plan wins. Out
            of time, the full model often has no plan at all (20 hosts,
            ``tight``: none in 0.7 s, 31 moves in 0.9 s), the restricted
            one a close one in a blink (33 moves in 0.1 s), where ``near``
            made 90.
        """
        cost = np.zeros(len(self.upper))
        cost[self.nv:self.nv + self.nl] = self.cost
        if near is None:
            return self._solve(cost, peak_cap, time_limit, gap)
        deadline = time.monotonic() + time_limit
        found = [self._solve(cost, peak_cap, time_limit / 2, gap,
                             allowed=(self.now > 0) | (self.counts(near) > 0)),
                 self._solve(cost, peak_cap, clock.left(deadline), gap)]
        plans = [f for f in found if f[0] is not None]
        return (min(plans, key=lambda f: self.cost_of(f[0])) if plans
                else found[-1])

    def counts(self, location):
        """(nv,) the counts of the zone's units at ``location``, the
        inverse of :meth:`locations`."""
        return self._per_host(location)[self.vk, self.vh]

    def _per_host(self, location):
        """(shapes, hosts) how many of the counted units of each shape
        are on each host at ``location``."""
        per_host = np.zeros((len(self.demand), len(self.zone.hosts)))
        np.add.at(per_host, (self.shape_of, location[self.units]), 1)
        return per_host

    def cost_of(self, location):
        """Migration cost of moving the zone's units to ``location``."""
        return float(self.unit_cost[location != self.zone.unit_host].sum())

    def locations(self, counts):
        """Concrete servers for ``counts``: surplus ones go to deficits.

        In a :data:`SPREAD` model a shape mixes anti-affinity members
        with other servers: members leave a host last, and each goes to
        a deficit its group allows (None when one has none).
        """
        z = self.zone
        after = np.zeros((len(self.demand), len(z.hosts)), dtype=int)
        after[self.vk, self.vh] = counts
        before = self.counts_now.astype(int)
        host_of = z.unit_host[self.units]
        if np.any(after.sum(axis=1) != before.sum(axis=1)):
            return None
        # Rank of each server among its shape on its host, members last
        # (only a SPREAD shape mixes members with other servers): the
        # first ``surplus`` of them leave.
        order = np.lexsort((z.unit_group[self.units] >= 0, host_of,
                            self.shape_of))
        key = self.shape_of[order] * len(z.hosts) + host_of[order]
        first = np.searchsorted(key, key)
        leave = np.arange(len(order)) - first < np.maximum(
            before - after, 0)[self.shape_of[order], host_of[order]]
        gain = np.maximum(after - before, 0)
        location = np.array(z.unit_host)
        dest = np.repeat(np.tile(np.arange(len(z.hosts)), len(gain)),
                         gain.ravel())
        if self.spread:
            dest = _spread(z, self.units[order[leave]],
                           self.shape_of[order[leave]], dest)
            if dest is None:
                return None
        location[self.units[order[leave]]] = dest
        return location


def _spread(zone, leaving, shape, dest):
    """``dest`` (the deficits, one per unit of ``leaving``, both sorted by
    ``shape``) reordered within each shape so that no anti-affinity group
    ends above its allowance on a host, or None.

    Members first, each to the first deficit of its shape its group
    allows; the other servers take the deficits left.
    """
    group = zone.unit_group[leaving]
    count = [np.array(c) for c in zone.anti_count]
    for g, h in zip(group, zone.unit_host[leaving]):
        if g >= 0:
            count[g][h] -= 1
    out = np.array(dest)
    bounds = np.flatnonzero(np.diff(shape)) + 1
    for mine in np.split(np.arange(len(leaving)), bounds):
        if not len(mine):
            continue
        slots = dest[mine]
        free = np.ones(len(mine), bool)
        for i in mine[group[mine] >= 0]:
            g = group[i]
            ok = free & constraints.AntiAffinity.admits(
                count[g][slots], zone.anti_allow[g][slots])
            if not ok.any():
                return None
            j = int(np.argmax(ok))
            free[j] = False
            count[g][slots[j]] += 1
            out[i] = slots[j]
        out[mine[group[mine] < 0]] = slots[free]
    return out
