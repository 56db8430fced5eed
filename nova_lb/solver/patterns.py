"""Large zones by host patterns: whole servers per host, then few fractions.

Rounding the cheapest fractional plan count by count leaves a fraction
on hundreds of hosts, and the servers left over overshoot wherever they
go. On hosts of very different CPU:RAM ratios that overshoot is more
than local search can undo (1,000 hosts, ``mixed``, seed 1, a 500-host
zone: 0.5458 polished against a relaxation of 0.4985).

Here a host's load is a *pattern*: whole servers of each flavor that fit
its room under the aim. The linear programme picks how many hosts of
each kind of room take each pattern (Gilmore and Gomory's cutting-stock
programme, priced per kind of room by :mod:`nova_lb.solver.knapsack`,
and by a small MILP where that leaves a class out). Its vertices are
fractional in at most as many patterns as there are flavors and kinds
of room, so rounding leaves a few servers over, not hundreds (the same
zone: 0.5101, with 5,706 moves instead of 3,824).

Only servers outside anti-affinity groups, on hosts that receive or are
drained, move here; every other server stays, a restriction (the plan
competes with the polished rounded plan, see
:func:`nova_lb.solver.zone_plan._patterned`).
"""

import time

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.model import constraints
from nova_lb.solver import aim as aim_mod
from nova_lb.solver import clock
from nova_lb.solver import knapsack

#: Most pricing rounds: the programme settles in 10-15 on 500-host zones.
_ROUNDS = 40
#: Most seconds a pricing MILP may take: its best patterns so far serve
#: (servers of up to half a host make HiGHS slow to prove them best).
_PRICE_TIME = 0.1
#: Rises of the patterns' room tried from the lowest plan, in
#: :meth:`_Problem.steps` (after the finer rises of
#: :meth:`_Problem.rises`), the first that lowers the plan taken. A plan's
#: height is not monotonic in the room: with servers of up to half a
#: host, one rise may leave a server with no host and the next give the
#: lowest plan (1,000 hosts, ``large``, seed 101, a 500-host zone: two
#: steps up gave no plan in one run, three steps up 0.6295 in another),
#: and rises of one or two then stopped near 0.67. Tuning seeds 1 and 2
#: of that cloud: 0.0369 and 0.0302 above the bound with rises of one or
#: two, 0.0269 and 0.0302 with up to four.
_RISES = (1, 2, 3, 4)
#: Worth of a server a host keeps: far below any server left out, so
#: it only chooses between equally low plans.
_KEEP = 1e-6
#: Cost per squared unit of :func:`_size` of a server the programme
#: leaves out: far above any pattern (patterns cost nothing or less).
#: Squared, so that the programme leaves out small servers rather than
#: one large one of the same size in all: the servers left over go
#: where there is still room (:func:`_place_left`), and once whole
#: patterns fill the hosts a server of half a host fits nowhere (1,000
#: hosts, ``large``, tuning seeds 1 and 2: 0.0269-0.0369 and
#: 0.0237-0.0302 above the bound with the size, 0.0149-0.0190 and
#: 0.0079-0.0135 squared, three runs each).
_LEFT_OUT = 1.0


def lowest(zone, model, aim, tolerance, deadline):
    """Locations of the lowest plan of whole patterns found by
    ``deadline``, or None.

    The patterns' room starts at ``aim + tolerance`` (R,) and rises
    (:meth:`_Problem.tries`, the least weighted rise first) while that
    lowers the plan, each programme seeded
    with the lowest plan's patterns: at the relaxation's aim every
    host's room may be a few vCPUs short of whole servers, and the
    servers left over overshoot (the zone above: 0.5759 at the aim,
    0.5101 one vCPU higher on its 60-vCPU hosts). A plan that moves more
    servers than the budget is no plan
    (:func:`nova_lb.solver.aim.located`).
    """
    pool = _pool(zone, model)
    if pool is None:
        return None
    problem = _Problem(zone, model, pool)
    rises = problem.rises(tolerance)
    best, score, seeds = None, np.inf, []
    tries = [aim + tolerance]
    while tries and time.monotonic() < deadline:
        room = tries.pop(0)
        counts, columns = problem.counts(room, clock.part(deadline, 0.5),
                                         seeds)
        location = aim_mod.located(zone, model, counts)
        value = np.inf if location is None else zone.weighted_after(location)
        if value < score:
            best, score, seeds = location, value, columns
            # The first rise that lowers the plan is taken: a programme
            # takes up to a second on 500 hosts, and the zone has a
            # few.
            tries = problem.tries(room, rises)
    return best


class _Problem(object):
    """One zone's servers that patterns place (``pool``, see
    :func:`_pool`), and the hosts that take them."""

    def __init__(self, zone, model, pool):
        z = self.zone = zone
        self.model = model
        self.pool = pool
        self.hosts = np.flatnonzero(z.receives & ~z.drain)
        self.demand, shape_of = np.unique(z.unit_demand[self.pool],
                                          axis=0, return_inverse=True)
        self.shape_of = shape_of.ravel()
        self.total = np.bincount(self.shape_of, minlength=len(
            self.demand)).astype(float)
        self.base = z.usage - _load(z, self.pool, len(z.hosts))
        self.now = np.zeros((len(z.hosts), len(self.demand)))
        np.add.at(self.now, (z.unit_host[self.pool], self.shape_of), 1.0)
        #: (R,) the demands' greatest common divisor per class (0 where
        #: they are not whole numbers): a host's room is whole multiples.
        self.unit = np.array([_unit(d) for d in self.demand.T])

    def steps(self, tolerance):
        """(R,) the least rise of the room worth trying per class: a
        whole unit (the demands' common divisor) on the smallest host,
        and never below ``tolerance``."""
        z = self.zone
        cap = z.capacity[self.hosts]
        smallest = np.array([np.min(c[c > 0], initial=np.inf)
                             for c in cap.T])
        return np.maximum(np.nan_to_num(self.unit / smallest), tolerance)

    def rises(self, tolerance):
        """Per class, the rises of the room tried, least first: a whole
        unit on each size of host where that is less than a step, then
        one to four :meth:`steps`.

        A unit on the smallest host may be several on the largest: on
        hosts of 60, 240 and 496 vCPUs, 1/60 of the room is 8 vCPUs on
        the largest, and a plan with 1 vCPU more there is lower
        (1,000 hosts, ``mixed``, seed 109, a 500-host zone: 0.5084 at
        1/496 above the first room, 0.5174 at 1/60, 0.5202 at the
        first room, against a bound of 0.5051).
        """
        step = self.steps(tolerance)
        cap = self.zone.capacity[self.hosts]
        rises = []
        for r, unit in enumerate(self.unit):
            sizes = np.unique(cap[:, r][cap[:, r] > 0])
            finer = unit / sizes if unit else np.zeros(0)
            rises.append(np.concatenate([np.unique(finer[finer < step[r]]),
                                         step[r] * np.array(_RISES)]))
        return rises

    def tries(self, room, rises):
        """The rooms to try after ``room`` (R,): each weighted class's
        ``rises`` (:meth:`rises`), the least weighted rise first, of
        equal ones the class with the least to spare first
        (:meth:`tightest`).

        Class by class, the tightest first, the search spent a
        zone's time on rises of several vCPUs before memory rose by
        512 MiB (1,000 hosts, ``mixed``, seed 112: 0.0302 above the
        bound, 0.0114 least weighted rise first; ``mixed`` and ``large``,
        tuning seeds 1-9 and 112-118: medians 0.0074 and 0.0062, worst
        0.0114 and 0.0124, where class by class gave 0.0086 and
        0.0076, worst 0.0302 and 0.0159).
        """
        ranked = sorted((self.zone.weights[r] * rise, i, r, rise)
                        for i, r in enumerate(self.tightest(room))
                        for rise in rises[r])
        return [room + np.eye(len(room))[r] * rise
                for _, _, r, rise in ranked]

    def tightest(self, aim):
        """The weighted classes, least spare room under ``aim`` (R,)
        first: the hosts' room over what the servers need, relative to it.

        The relaxation levels the class that makes the zone's peak, and
        under its aim and the tolerance that class has well under 1 % to
        spare: not enough for whole servers, and no rise of another class
        gives it more (1,000 hosts, ``large``, seed 103, a 500-host zone:
        0.6 % of its memory to spare, 6 % of its vCPUs). Fifteen clouds
        of that profile, two runs each: plans 0.0109 above the bound at
        the median and 0.0158 at worst, where vCPUs rising first gave
        0.0130 and 0.0176.
        """
        z = self.zone
        room = _room(z, self.hosts, self.base, self.unit, aim).sum(axis=0)
        need = np.maximum(self.total @ self.demand, 1e-9)
        weighted = np.flatnonzero(z.weights > 0)
        return weighted[np.argsort((room / need)[weighted], kind='stable')]

    def counts(self, aim, deadline, seeds=()):
        """``(counts, columns)``: counts (the model's columns) of whole
        patterns under ``aim`` (R,), or None (out of time, or no room for
        the servers left over), and the programme's patterns as
        ``(host, counts)``, one host of the kind each was made for.

        ``seeds``: patterns of an earlier programme, ``(host, counts)``,
        the programme's first columns wherever they still fit the host's
        room. Under a higher aim they all do, and the programme needs
        fewer pricing rounds (1,000 hosts, ``mixed``, seed 100, the
        500-host zones one unit higher: 5-7 rounds instead of 8-10, and
        plans as low or lower).
        """
        z = self.zone
        room = _room(z, self.hosts, self.base, self.unit, aim)
        kinds, kind_of, kind_n = np.unique(room, axis=0, return_inverse=True,
                                           return_counts=True)
        kind_of = kind_of.ravel()
        now = self.now[self.hosts]
        kept = _fit(now, self.demand, room)
        seeded = [(kind_of[h], c) for h, c in seeds
                  if np.all(c @ self.demand <= room[h] + 1e-9)]
        patterns, use = _columns(
            self.demand, self.total, kinds, self.unit, kind_n,
            [(i, c) for i, c in zip(kind_of, kept) if c.any()], seeded,
            deadline)
        if patterns is None:
            return None, []
        host_of = np.unique(kind_of, return_index=True)[1]
        columns = list({(host_of[i], c.tobytes()): (host_of[i], c)
                        for i, c in patterns if c.any()}.values())
        per_host = _assign(now, kind_of, patterns, use, self.total,
                           len(kinds))
        if per_host is None:
            return None, columns
        left = self.total - per_host.sum(axis=0)
        if not _place_left(z, self.hosts, self.base, per_host, self.demand,
                           left, aim):
            return None, columns
        return _counts(z, self.model, self.pool, self.hosts, per_host,
                       self.demand), columns


def _pool(z, model):
    """Units the patterns place, or None when a unit that must move is
    not one of them (an anti-affinity member on a drained host)."""
    units = model.units
    free = (z.unit_group[units] < 0) & (z.receives | z.drain)[
        z.unit_host[units]]
    if np.any(z.must_move()[units] & ~free):
        return None
    return units[free]


def _load(z, units, n_hosts):
    load = np.zeros((n_hosts, z.usage.shape[1]))
    np.add.at(load, z.unit_host[units], z.unit_demand[units])
    return load


def _room(z, hosts, base, unit, aim):
    """(hosts, R) what each host may take: under the aim in weighted
    classes, under its ceiling in every class, in whole multiples of
    ``unit`` (R,) where it is not 0."""
    top = constraints.Capacity.ceiling(z.limit, z.usage)[hosts]
    weighted = z.weights > 0
    top = np.where(weighted, np.minimum(top, aim * z.capacity[hosts]), top)
    room = np.maximum(top - base[hosts], 0.0)
    for r in np.flatnonzero(unit):
        room[:, r] = unit[r] * np.floor(room[:, r] / unit[r] + 1e-9)
    return room


def _unit(demand):
    """The greatest common divisor of whole-number ``demand`` (a class's
    per shape), or 0 where they are not whole (measured load) or none."""
    d = demand[demand > 0]
    if not len(d) or np.any(d != np.round(d)):
        return 0.0
    return float(np.gcd.reduce(np.round(d).astype(np.int64)))


def _size(demand):
    """(K,) each shape's demands relative to the largest, summed: how
    large a server is in every class at once."""
    return (demand / np.maximum(demand.max(axis=0), 1e-9)).sum(axis=1)


def _columns(demand, total, kinds, unit, kind_n, kept, seeded, deadline):
    """``(patterns [(kind, counts)], use per pattern)`` of the cutting
    stock programme by column generation, or ``(None, None)``.

    ``kept``: each host's servers now that fit its room, ``(kind,
    counts)``: a column each, used once at most and worth :data:`_KEEP`
    per server, so that of equally low plans the programme takes the
    one that moves fewest (a host taking its own column keeps them).
    ``seeded``: patterns ``(kind, counts)`` to start from.
    """
    k, t = len(demand), len(kinds)
    patterns = [(i, np.zeros(k)) for i in range(t)] + list(kept) + list(
        seeded)
    cost = ([0.0] * t + [-_KEEP * c.sum() for _, c in kept]
            + [0.0] * len(seeded))
    upper = [np.inf] * t + [1.0] * len(kept) + [np.inf] * len(seeded)
    for _ in range(_ROUNDS):
        n = len(patterns)
        a = np.zeros((k + t, n + k))
        for j, (i, counts) in enumerate(patterns):
            a[:k, j] = counts
            a[k + i, j] = 1.0
        a[:k, n:] = np.eye(k)
        res = optimize.linprog(
            np.concatenate([cost, _LEFT_OUT * _size(demand) ** 2]),
            A_eq=a,
            b_eq=np.concatenate([total, kind_n]),
            bounds=np.column_stack([np.zeros(n + k),
                                    upper + [np.inf] * k]),
            method='highs-ds',
            options={'time_limit': max(clock.left(deadline), 0.05)})
        if res.status != 0:
            return None, None
        price, per_kind = res.eqlin.marginals[:k], res.eqlin.marginals[k:]
        new = _price(demand, total, kinds, unit, price, per_kind, deadline)
        if not new or time.monotonic() > deadline:
            break
        patterns.extend(new)
        cost.extend([0.0] * len(new))
        upper.extend([np.inf] * len(new))
    # The columns priced after the last programme (out of rounds) are
    # not in its plan.
    return patterns[:n], res.x[:n]


def _price(demand, total, kinds, unit, price, per_kind, deadline):
    """Patterns whose reduced cost is negative: per kind of room, the
    whole servers of most value at ``price`` that fit, by
    :func:`nova_lb.solver.knapsack.best`; the kinds it leaves unanswered
    (servers over a class outside its table) that may still hold a
    pattern, by one MILP of those kinds side by side (a call per kind
    costs more than the search)."""
    counts, fits, bound = knapsack.best(demand, total, kinds, unit, price)
    rest = np.flatnonzero(~fits & (bound + per_kind > 1e-7))
    counts[~fits] = 0.0
    if len(rest):
        counts[rest] = _price_milp(demand, total, kinds[rest], price,
                                   deadline)
    gain = counts @ price + per_kind
    return [(i, counts[i]) for i in np.flatnonzero(gain > 1e-7)]


def _price_milp(demand, total, kinds, price, deadline):
    """(T, K) the whole servers of most value at ``price`` per kind of
    room found by the time limit, 0 where none was."""
    k, t = len(demand), len(kinds)
    res = optimize.milp(
        -np.tile(price, t), integrality=np.ones(k * t),
        bounds=optimize.Bounds(0, np.tile(total, t)),
        constraints=optimize.LinearConstraint(
            sparse.kron(sparse.identity(t), demand.T), -np.inf,
            kinds.ravel()),
        options={'time_limit': max(min(clock.left(deadline), _PRICE_TIME),
                                   0.05),
                 'mip_rel_gap': 0.0, 'presolve': False})
    if res.x is None:
        return np.zeros((t, k))
    return np.round(res.x).reshape(t, k)


def _assign(now, kind_of, patterns, use, total, n_kinds):
    """(hosts, K) whole servers per host: each kind's patterns rounded
    down, its hosts left over taking the patterns of largest fraction
    (within the servers left); each host the pattern that moves fewest
    of its servers ``now`` (hosts, K)."""
    chosen = [[] for _ in range(n_kinds)]
    left = np.array(total)
    whole = np.floor(use + 1e-9)
    for (i, counts), n in zip(patterns, whole):
        chosen[i] += [counts] * int(n)
        left -= counts * n
    if np.any(left < -1e-9):
        return None
    for j in np.argsort(-(use - whole), kind='stable'):
        i, counts = patterns[j]
        if use[j] - whole[j] > 1e-9 and len(chosen[i]) < np.sum(
                kind_of == i):
            counts = np.minimum(counts, left)
            chosen[i].append(counts)
            left -= counts
    per_host = np.zeros_like(now)
    for i in range(n_kinds):
        mine = np.flatnonzero(kind_of == i)
        pats = np.array(chosen[i] + [np.zeros(len(total))]
                        * (len(mine) - len(chosen[i])))
        cost = np.maximum(now[mine][:, None, :] - pats[None], 0).sum(axis=2)
        rows, cols = optimize.linear_sum_assignment(cost)
        per_host[mine[rows]] = pats[cols]
    return per_host


def _fit(now, demand, room):
    """(hosts, K) each host's servers ``now`` (hosts, K), the largest
    taken off until the rest fits its ``room``."""
    kept = np.array(now)
    for i in np.flatnonzero(np.any(now @ demand > room + 1e-9, axis=1)):
        load = kept[i] @ demand
        for k in np.argsort(-_size(demand), kind='stable'):
            while kept[i, k] > 0 and np.any(load > room[i] + 1e-9):
                kept[i, k] -= 1
                load -= demand[k]
    return kept


def _place_left(z, hosts, base, per_host, demand, left, aim):
    """Servers no pattern holds, largest first, each where it raises the
    heat above ``aim`` least within the host's ceiling; False when one
    fits nowhere. ``per_host`` is updated in place."""
    load = base[hosts] + per_host @ demand
    top = constraints.Capacity.ceiling(z.limit, z.usage)[hosts]
    cap = np.where(z.capacity[hosts] > 0, z.capacity[hosts], np.inf)
    weighted = z.weights > 0
    for k in np.argsort(-_size(demand), kind='stable'):
        for _ in range(int(round(left[k]))):
            after = load + demand[k]
            fits = constraints.Capacity.fits(after, top)
            if not fits.any():
                return False
            heat = ((after / cap - aim)[:, weighted]).max(axis=1)
            h = int(np.argmin(np.where(fits, heat, np.inf)))
            load[h] += demand[k]
            per_host[h, k] += 1
    return True


def _counts(z, model, pool, hosts, per_host, demand):
    """``model``'s column counts: ``per_host`` on the pattern hosts, every
    other server where it is."""
    after = np.array(model.counts_now)
    in_pool = np.zeros(len(z.units), dtype=bool)
    in_pool[pool] = True
    shape_free = {tuple(d): k for k, d in enumerate(model.demand)
                  if model.group[k] < 0}
    moving = in_pool[model.units]
    np.add.at(after, (model.shape_of[moving],
                      z.unit_host[model.units[moving]]), -1)
    for k, d in enumerate(demand):
        after[shape_free[tuple(d)], hosts] += per_host[:, k]
    if after[model.vk, model.vh].sum() != after.sum():
        return None
    return np.round(after[model.vk, model.vh]).astype(int)
