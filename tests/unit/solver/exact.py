"""The exact optimum of a small cluster, by a model that shares no code
with the solver.

Servers counted per host (HiGHS through scipy, see :func:`optimum`). It
states the problem the way the plan checker enforces it, on the final
placement only (so that it is a relaxation of what waves can reach, and
its optimum is a lower bound of every valid plan's weighted peak):

* a server ends in its availability zone, on its own host or on one that
  accepts servers; members of affinity groups stay (live migration moves
  one server at a time, and Nova's filter keeps each on its group's host);
* a host within its limit now ends within it; a host over its limit now
  either receives nothing or ends within its limit (each arrival is
  checked against the limit, and after the last only departures follow);
* an anti-affinity group ends with at most the larger of its members
  there now and ``max_server_per_host`` on a host;
* the weighted peak is the highest utilisation per class over the hosts
  that accept servers, weighted as the cost model says.

Small clusters solve to optimality in a second or two; ``benchmarks/planner``
also runs it time-limited on medium ones.
"""

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.model import cluster as cluster_model


def weights(cluster):
    """(R,) the cost model's weights, scaled to sum to 1."""
    w = np.asarray(cluster.cost.for_classes(
        cluster.resource_classes).weight_vector, dtype=float)
    return w / w.sum()


def weighted_peak(cluster, location):
    """The weighted peak of ``cluster`` with its servers at ``location``."""
    util = cluster.utilisation(np.asarray(location, dtype=int))
    counted = np.asarray(cluster.accepts, dtype=bool)
    return float(np.dot(weights(cluster), util[counted].max(axis=0)))


def optimum(cluster, time_limit=120.0, gap=1e-4, require=True,
            max_migrations=None):
    """``(best weighted peak found, dual bound)`` of ``cluster``, at most
    ``gap`` apart (relative): the optimum lies between them.

    With ``require`` False, whatever HiGHS has when time runs out (the
    best found may be None): for clouds too large to solve to the end.

    Servers with the same demand, availability zone and anti-affinity
    group are interchangeable, so the model counts them per host (integer
    ``n[k, h]``): the same optimum as one binary per server, without the
    symmetry that keeps HiGHS from proving it.

    With ``max_migrations``, at most that many servers end away from
    their host: ``m[k, h] >= now[k, h] - n[k, h]`` leave each host, and
    any counts map to exactly that many moves of concrete servers.

    :raises AssertionError: HiGHS did not close the gap in time.
    """
    w = weights(cluster)
    rcs = np.flatnonzero(w > 0)
    n_hosts, n_rc = np.shape(cluster.capacity)
    capacity = np.asarray(cluster.capacity, dtype=float)
    limit = np.asarray(cluster.limit, dtype=float)
    accepts = np.asarray(cluster.accepts, dtype=bool)
    location = np.asarray(cluster.location, dtype=int)
    demand = np.asarray(cluster.demand, dtype=float)
    base = np.asarray(cluster.fixed, dtype=float).copy()
    group = np.full(len(cluster.servers), -1)
    allow = []
    for g in cluster.groups:
        if g.policy == cluster_model.AFFINITY:
            np.add.at(base, location[list(g.members)], demand[list(g.members)])
            group[list(g.members)] = -2
        elif g.policy == cluster_model.ANTI_AFFINITY:
            now = np.zeros(n_hosts)
            np.add.at(now, list(g.fixed_hosts) + [location[m]
                                                  for m in g.members], 1)
            fixed = np.zeros(n_hosts)
            np.add.at(fixed, list(g.fixed_hosts), 1)
            group[list(g.members)] = len(allow)
            allow.append(np.maximum(now, g.max_server_per_host) - fixed)
    moving = np.flatnonzero(group != -2)
    zone = {az: i for i, az in enumerate(sorted(
        set(cluster.host_az), key=str))}
    host_zone = np.array([zone[az] for az in cluster.host_az])
    keys, shape_of = np.unique(np.column_stack([
        demand[moving], group[moving], host_zone[location[moving]]]),
        axis=0, return_inverse=True)
    shape_of = shape_of.ravel()
    now = np.zeros((len(keys), n_hosts))
    np.add.at(now, (shape_of, location[moving]), 1)
    sk, sh = np.nonzero((now > 0) | (
        accepts[None, :] & (host_zone[None, :] == keys[:, -1:])))
    n_x = len(sk)
    over = np.flatnonzero(np.any(cluster.usage() > limit + 1e-9, axis=1))
    n_y, n_p = len(over), len(rcs)
    leave = (np.flatnonzero(now[sk, sh] > 0) if max_migrations is not None
             else np.zeros(0, int))
    n_m = len(leave)
    ncol = n_x + n_y + n_p + n_m
    rows, lo, hi = [], [], []

    def add(matrix, low, high):
        rows.append(sparse.csr_matrix(matrix, shape=(matrix.shape[0], ncol)))
        lo.append(np.broadcast_to(low, matrix.shape[0]).astype(float))
        hi.append(np.broadcast_to(high, matrix.shape[0]).astype(float))

    cols = np.arange(n_x)
    total = now.sum(axis=1)
    add(sparse.coo_matrix((np.ones(n_x), (sk, cols)),
                          shape=(len(keys), ncol)), total, total)
    big = {int(h): n_x + i for i, h in enumerate(over)}
    for r in range(n_rc):
        load = sparse.coo_matrix((keys[sk, r], (sh, cols)),
                                 shape=(n_hosts, ncol)).tolil()
        slack = np.zeros(n_hosts)
        for h, col in big.items():
            slack[h] = demand[:, r].sum() + 1.0
            load[h, col] = slack[h]
        add(load.tocsr(), -np.inf, limit[:, r] - base[:, r] + slack)
        if r in rcs:
            peak = np.flatnonzero(accepts & (capacity[:, r] > 0))
            matrix = (sparse.diags(1.0 / capacity[:, r]) @ sparse.coo_matrix(
                (keys[sk, r], (sh, cols)),
                shape=(n_hosts, ncol)).tocsr())[peak].tolil()
            matrix[:, n_x + n_y + list(rcs).index(r)] = -1.0
            add(matrix.tocsr(), -np.inf, -base[peak, r] / capacity[peak, r])
    # More than now on a host over its limit only if it ends within it;
    # nothing arrives on a host that does not accept servers.
    upper = np.where(accepts[sh], total[sk], now[sk, sh])
    extra = np.flatnonzero(np.isin(sh, over) & accepts[sh])
    if len(extra):
        add(sparse.coo_matrix(
            (np.concatenate([np.ones(len(extra)), -total[sk[extra]]]),
             (np.concatenate([np.arange(len(extra))] * 2),
              np.concatenate([extra, [big[int(sh[p])] for p in extra]]))),
            shape=(len(extra), ncol)), -np.inf, now[sk[extra], sh[extra]])
    for g, most in enumerate(allow):
        mine = keys[sk, n_rc] == g
        add(sparse.coo_matrix((np.ones(mine.sum()), (sh[mine], cols[mine])),
                              shape=(n_hosts, ncol)), -np.inf, most)
    if n_m:
        first = n_x + n_y + n_p
        add(sparse.coo_matrix(
            (np.ones(2 * n_m), (np.tile(np.arange(n_m), 2), np.concatenate(
                [leave, first + np.arange(n_m)]))), shape=(n_m, ncol)),
            now[sk[leave], sh[leave]], np.inf)
        add(sparse.coo_matrix((np.ones(n_m), (np.zeros(n_m, int),
                                              first + np.arange(n_m))),
                              shape=(1, ncol)), -np.inf, max_migrations)
    cost = np.zeros(ncol)
    cost[n_x + n_y:n_x + n_y + n_p] = w[rcs]
    res = optimize.milp(
        cost, integrality=np.concatenate([np.ones(n_x + n_y),
                                          np.zeros(n_p + n_m)]),
        bounds=optimize.Bounds(np.zeros(ncol), np.concatenate(
            [upper, np.ones(n_y), np.full(n_p, np.inf),
             now[sk[leave], sh[leave]]])),
        constraints=optimize.LinearConstraint(
            sparse.vstack(rows).tocsr(), np.concatenate(lo),
            np.concatenate(hi)),
        options={'time_limit': time_limit, 'mip_rel_gap': gap,
                 'disp': False})
    if require:
        assert res.status == 0, 'exact model not solved: %s' % res.message
    return (None if res.x is None else float(res.fun),
            float(res.mip_dual_bound or 0.0))
