"""A proven lower bound for zones too large for the exact model.

The mean utilisation is a weak bound on clouds of mixed host generations:
a host with much memory per vCPU only reaches the mean in both classes if
enough memory-heavy servers exist to fill it, and a fractional assignment
of servers to hosts already shows whether they do. Servers with the same
demand are interchangeable, so the relaxation has one variable per
(demand, host) pair: a few thousand even for 100,000 servers, solved by
HiGHS in well under a second. Dropping integrality, anti-affinity and the
per-server candidate rules only makes the bound lower, so it stays valid.
"""

import numpy as np
from scipy import optimize
from scipy import sparse


def relaxation(zone):
    """The lowest weighted peak of a fractional plan, or None on failure."""
    movable = (zone.accepts | zone.drain)[zone.unit_host]
    if not movable.any():
        return None
    kinds, kind_of = np.unique(zone.unit_demand[movable], axis=0,
                               return_inverse=True)
    count = np.bincount(kind_of.ravel(), minlength=len(kinds))
    base = np.array(zone.usage)
    np.add.at(base, zone.unit_host[movable], -zone.unit_demand[movable])
    hosts = np.flatnonzero(zone.receives)
    k, h = len(kinds), len(hosts)
    rcs = np.flatnonzero(zone.weights > 0)
    n = k * h
    kind_col = np.repeat(np.arange(k), h)
    host_col = np.tile(np.arange(h), k)
    blocks, lb, ub = [], [], []
    blocks.append(sparse.coo_matrix((np.ones(n), (kind_col, np.arange(n))),
                                    shape=(k, n + len(rcs))))
    lb.append(count)
    ub.append(count)
    for r in range(kinds.shape[1]):
        load = sparse.coo_matrix(
            (kinds[kind_col, r], (host_col, np.arange(n))), shape=(h, n))
        room = np.maximum(zone.limit[hosts, r], zone.usage[hosts, r])
        blocks.append(sparse.hstack([load, sparse.csr_matrix(
            (h, len(rcs)))]))
        lb.append(np.full(h, -np.inf))
        ub.append(room - base[hosts, r])
        if r in rcs:
            cap = zone.capacity[hosts, r]
            ok = cap > 0
            peak = np.zeros((ok.sum(), len(rcs)))
            peak[:, list(rcs).index(r)] = -1.0
            blocks.append(sparse.hstack([
                sparse.diags(1.0 / cap[ok]) @ load.tocsr()[ok], peak]))
            lb.append(np.full(ok.sum(), -np.inf))
            ub.append(-base[hosts[ok], r] / cap[ok])
    # Counted hosts that cannot receive still set a floor on the peaks.
    floor = zone.util(base)[zone.accepts & ~zone.receives][:, rcs]
    res = optimize.milp(
        np.concatenate([np.zeros(n), zone.weights[rcs]]),
        bounds=optimize.Bounds(
            np.concatenate([np.zeros(n), floor.max(axis=0, initial=0.0)]),
            np.full(n + len(rcs), np.inf)),
        constraints=optimize.LinearConstraint(
            sparse.vstack(blocks).tocsr(), np.concatenate(lb),
            np.concatenate(ub)),
        options={'time_limit': 5.0, 'disp': False})
    if res.status != 0 or res.fun is None:
        return None
    return float(res.fun)
