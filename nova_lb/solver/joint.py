"""Every zone of a cloud in one relaxation, the peaks shared.

The cloud's peak in a class is the highest over all its zones, so what a
zone should aim at depends on the others: a zone gains nothing below
another zone's peak in a class, and may use that room to lower its peak
in another class. Each zone's own relaxation ignores this. On a cloud
whose zones hold host generations with very different CPU:RAM ratios,
one zone's best is low in CPU and high in RAM, another's the reverse,
and the highest of them class by class is a point well above what the
cloud can reach (and, each zone being just at its own best there, one
an integral plan often misses by a hair).

:func:`relaxed` solves the linear relaxation of all the zones at once,
with one peak column per class that every zone's hosts are under. It is
the relaxation of the real problem (each zone's model with its one cut,
see :meth:`~nova_lb.solver.shapes.ShapeCountModel.relaxed`), so its
optimum is a proven bound, at least as high as any zone's alone, and its
peaks are a point all the zones can nearly reach together.
"""

import numpy as np
from scipy import optimize
from scipy import sparse

#: Most count variables over all the zones for one joint relaxation: a
#: few hundred hosts, zones the integral model solves whole. Larger
#: clouds keep each zone's own relaxation, solved by interior point in
#: the time they have.
LARGEST = 8000


def relaxed(models, weights, time_limit, largest=LARGEST):
    """``(bound, peaks (R,))`` of the zones' relaxation ``models``
    together, or ``(None, None)`` when too large or not solved."""
    if not models or sum(m.nv for m in models) > largest:
        return None, None
    rcs = models[0].rcs
    width = [m.nv + m.nl for m in models]
    matrices = [m.matrix.tocsc() for m in models]
    matrix = sparse.hstack([
        sparse.block_diag([a[:, :w] for a, w in zip(matrices, width)]),
        sparse.vstack([a[:, w:] for a, w in zip(matrices, width)])]).tocsr()
    no_cap = np.full(len(weights), np.inf)
    upper = np.concatenate([m.column_upper(no_cap, relax=True)[:w]
                            for m, w in zip(models, width)]
                           + [np.full(len(rcs), np.inf)])
    lower = np.concatenate([m.lower[:w] for m, w in zip(models, width)]
                           + [np.zeros(len(rcs))])
    if np.any(upper < lower - 1e-12):
        return None, None
    cost = np.zeros(matrix.shape[1])
    cost[-len(rcs):] = weights[rcs]
    res = optimize.milp(
        cost, bounds=optimize.Bounds(lower, upper),
        constraints=optimize.LinearConstraint(
            matrix, np.concatenate([m.lo for m in models]),
            np.concatenate([m.hi for m in models])),
        options={'time_limit': max(time_limit, 0.05), 'disp': False})
    if res.status != 0 or res.x is None:
        return None, None
    peaks = np.zeros(len(weights))
    peaks[rcs] = res.x[-len(rcs):]
    return float(res.fun), peaks
