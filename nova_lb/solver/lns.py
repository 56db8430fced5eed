"""Large-neighbourhood search: re-pack a few hosts exactly with HiGHS.

When every host is about equally hot, in different resource classes, no
single move, swap or two-step chain cools the hottest one: the hosts must
trade servers several at a time. This takes the hottest host and a few
partners (the hosts with the most room in its hot class), frees every
server on them, and lets HiGHS re-pack them to minimise the hottest of
them, with a tiny cost on every server that ends away from its original
host (so servers go home when that is as good). Steps repeat until the
time budget is spent or the hottest host cannot be cooled.
"""

import time

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.model import constraints
from nova_lb.solver import local

#: Cost of ending away from home, in units of heat: breaks ties only.
_AWAY = 1e-5


def improve(zone, location, budget, deadline, size=8, aim=None):
    """Locations at least as good as ``location``; stops at ``deadline``.

    :param aim: as for :func:`nova_lb.solver.local.descend`.
    """
    search = local._Search(zone, location, aim)
    hosts = np.arange(len(zone.hosts))
    attempts = 0
    while time.monotonic() < deadline and attempts < 3:
        h = int(np.argmax(search.current))
        hot = search.current[h]
        if hot == -np.inf or not zone.receives[h]:
            break
        rc = np.argmax(search.usage[h, search.weighted] / search.cap[h]
                       - search.bound[search.weighted])
        others = hosts[zone.receives & (hosts != h)]
        util = (search.usage[others][:, search.weighted][:, rc]
                / search.cap[others][:, rc])
        start = attempts * (size - 1)
        group = np.concatenate([[h], others[np.argsort(util)][
            start:start + size - 1]]).astype(int)
        new = _repack(search, group, hot, deadline) if len(group) > 1 \
            else None
        away = {u: d != zone.unit_host[u] for u, d in (new or {}).items()}
        if new is None or (np.sum(search.location != zone.unit_host)
                           + sum(away.values()) - sum(
                               search.location[u] != zone.unit_host[u]
                               for u in away)) > budget:
            attempts += 1
            continue
        for u, d in new.items():
            if search.location[u] != d:
                search.move(u, d)
        search.keep_if_best()
        attempts = 0
    return search.best


def _repack(search, group, hot, deadline):
    """``{unit: host}`` for the units on ``group``, or None if no better.

    Variables: one binary per (unit, host of ``group``) pair the unit may
    take, and the heat ``t`` of the hottest host of the group, minimised.
    """
    z = search.zone
    units = np.concatenate([search.units(int(g)) for g in group])
    if not len(units):
        return None
    base = np.array([search.usage[g] - z.unit_demand[
        search.units(int(g))].sum(axis=0) for g in group])
    pu, pk = _pairs(search, group, units, base)
    m = len(pu)
    matrix, lower, upper = _rows(search, group, units, base, pu, pk)
    home = z.unit_host[units][pu] != group[pk]
    res = optimize.milp(
        np.concatenate([_AWAY * home, [1.0]]),
        integrality=np.concatenate([np.ones(m), [0]]),
        bounds=optimize.Bounds(np.concatenate([np.zeros(m), [-1.0]]),
                               np.concatenate([np.ones(m), [hot]])),
        constraints=optimize.LinearConstraint(matrix, lower, upper),
        options={'time_limit': max(min(1.0, deadline - time.monotonic()),
                                   0.05), 'disp': False})
    if res.x is None or res.x[-1] > hot - local._STEP:
        return None
    chosen = res.x[:m] > 0.5
    return {int(units[pu[i]]): int(group[pk[i]])
            for i in np.flatnonzero(chosen)}


def _rows(search, group, units, base, pu, pk):
    """``(matrix, lower, upper)``: one block of rows per rule, over the
    pairs and ``t`` (the last column)."""
    z, m = search.zone, len(pu)
    # Each unit ends on exactly one host of the group.
    blocks = [(sparse.coo_matrix((np.ones(m), (pu, np.arange(m))),
                                 shape=(len(units), m)),
               np.ones(len(units)), np.ones(len(units)))]
    for r in range(z.unit_demand.shape[1]):
        load = sparse.coo_matrix(
            (z.unit_demand[units][pu, r], (pk, np.arange(m))),
            shape=(len(group), m))
        blocks.append(_capacity(search, group, base, load, r))
        if search.weighted[r]:
            blocks.append(_heat(search, group, base, load, r))
    blocks.extend(_anti_affinity(search, group, units, pu, pk))
    matrix = sparse.vstack([
        sparse.hstack([b, sparse.csr_matrix((b.shape[0], 1))])
        if b.shape[1] == m else b for b, _, _ in blocks]).tocsr()
    return (matrix, np.concatenate([b[1] for b in blocks]),
            np.concatenate([b[2] for b in blocks]))


def _members_left(search, group, g):
    """(k,) members of anti-affinity group ``g`` on the hosts of
    ``group`` once every unit on them is freed."""
    z = search.zone
    return search.counts[g][group] - np.array(
        [np.sum(z.unit_group[search.units(int(x))] == g) for x in group])


def _pairs(search, group, units, base):
    """``(pu, pk)``: the (unit, group host) pairs that may hold alone:
    :class:`~nova_lb.model.constraints.Capacity` and
    :class:`~nova_lb.model.constraints.AntiAffinity` for the unit on its
    own; ``base`` (k, R) is what the hosts keep once the units are freed.
    """
    z = search.zone
    k = len(group)
    pu = np.repeat(np.arange(len(units)), k)
    pk = np.tile(np.arange(k), len(units))
    fits = constraints.Capacity.fits(z.unit_demand[units][pu],
                                     (z.limit[group] - base)[pk])
    for i in np.flatnonzero(~search.free[units]):
        g = z.unit_group[units[i]]
        fits[i * k:(i + 1) * k] &= constraints.AntiAffinity.admits(
            _members_left(search, group, g), z.anti_allow[g][group])
    return pu[fits], pk[fits]


def _capacity(search, group, base, load, r):
    """:class:`~nova_lb.model.constraints.Capacity` rows of class ``r``."""
    matrix, upper = constraints.Capacity.rows(
        load, base[:, r], search.zone.limit[group, r])
    return matrix, np.full(len(group), -np.inf), upper


def _heat(search, group, base, load, r):
    """The heat of every host of the group in class ``r`` is at most
    ``t``: ``load / cap - t <= bound - base / cap``."""
    k = len(group)
    cap = search.zone.capacity[group, r]
    scale = sparse.diags(1.0 / np.where(cap > 0, cap, np.inf))
    return (sparse.hstack([scale @ load.tocsr(),
                           sparse.csr_matrix(-np.ones((k, 1)))]),
            np.full(k, -np.inf),
            search.bound[r] - base[:, r] / np.where(cap > 0, cap, np.inf))


def _anti_affinity(search, group, units, pu, pk):
    """:class:`~nova_lb.model.constraints.AntiAffinity` rows: freed
    members of a group never end more than allowed on a host. The pairs
    test one member at a time, so only hosts more members may reach than
    they allow get a row."""
    z = search.zone
    groups = z.unit_group[units][pu]
    for g in np.unique(groups[groups >= 0]):
        mine = np.flatnonzero(groups == g)
        members = sparse.coo_matrix(
            (np.ones(len(mine)), (pk[mine], mine)),
            shape=(len(group), len(pu))).tocsr()
        matrix, upper = constraints.AntiAffinity.rows(
            members, _members_left(search, group, g), z.anti_allow[g][group])
        binding = np.flatnonzero(np.bincount(pk[mine], minlength=len(group))
                                 > upper)
        if len(binding):
            yield matrix[binding], np.full(len(binding), -np.inf), \
                upper[binding]
