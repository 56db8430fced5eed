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

import itertools

import numpy as np
from scipy import optimize
from scipy import sparse

from nova_lb.solver import clock

#: Most count variables over all the zones for one joint relaxation: a
#: few hundred hosts, zones the integral model solves whole. Larger
#: clouds keep each zone's own relaxation, solved by interior point in
#: the time they have, unless their zones cross (see :data:`CROSSED`).
LARGEST = 8000
#: Most count variables for the joint relaxation of a cloud whose zones'
#: own relaxations cross (:func:`crossed`): about 1,000 hosts. There the
#: highest of the zones' own bounds is below the joint one, and the aim
#: :func:`aim` settles on may stay above it (1,000 hosts, ``tight``,
#: seed 1: own bounds 0.5691 and 0.5757, aim 0.5844; together 0.5788,
#: in 1.3 s by the dual simplex against 0.8 s for both zones' own side
#: by side; seed 6: 0.5769, 0.5907 and 0.5824). 5,000 hosts take more
#: than 50,000 and keep :func:`aim`.
CROSSED = 40000
#: Peaks closer than this count as equal.
_EPS = 1e-6


class Stack(object):
    """The zones' shape models side by side, one peak column per class
    that every zone's hosts are under: the cloud's peak.

    :param relax: the relaxation's column bounds (a host over its limit
        may receive, see
        :meth:`~nova_lb.solver.shapes.ShapeCountModel.relaxed`).
    :param budget_rows: keep each zone's own budget row (a caller that
        shares one budget over the zones drops them and adds its own).
    """

    def __init__(self, models, relax=False, budget_rows=True):
        self.models = models
        self.rcs = models[0].rcs
        self.ends = [m.nv + m.nl for m in models]
        keep = [np.arange(m.matrix.shape[0]) != (
            -1 if budget_rows else m.budget_row) for m in models]
        parts = [m.matrix.tocsr()[k].tocsc() for m, k in zip(models, keep)]
        self.matrix = sparse.hstack([
            sparse.block_diag([a[:, :e] for a, e in zip(parts, self.ends)]),
            sparse.vstack([a[:, e:] for a, e in zip(parts, self.ends)])
        ]).tocsr()
        self.lo = np.concatenate([m.lo[k] for m, k in zip(models, keep)])
        self.hi = np.concatenate([m.hi[k] for m, k in zip(models, keep)])
        no_cap = np.full(len(models[0].zone.weights), np.inf)
        peaks = len(self.rcs)
        self.upper = np.concatenate(
            [m.column_upper(no_cap, relax)[:e]
             for m, e in zip(models, self.ends)] + [np.full(peaks, np.inf)])
        self.lower = np.concatenate([m.lower[:e] for m, e in zip(
            models, self.ends)] + [np.zeros(peaks)])
        self.integrality = np.concatenate([m.integrality[:e] for m, e in zip(
            models, self.ends)] + [np.zeros(peaks)])
        #: (columns,) 1 on every zone's leaver columns: the migrations.
        self.leavers = np.concatenate([np.r_[np.zeros(m.nv), np.ones(m.nl)]
                                       for m in models] + [np.zeros(peaks)])

    def peak_cost(self, weights):
        """Costs that make the objective the weighted peak."""
        cost = np.zeros(self.matrix.shape[1])
        cost[-len(self.rcs):] = weights[self.rcs]
        return cost

    def peaks(self, x, classes):
        """(``classes``,) the peak columns of ``x``."""
        peaks = np.zeros(classes)
        peaks[self.rcs] = x[-len(self.rcs):]
        return peaks

    def parts(self, x):
        """Each zone's columns of ``x``, in :attr:`models` order."""
        starts = np.cumsum([0] + self.ends[:-1])
        return [x[s:s + e] for s, e in zip(starts, self.ends)]

    def locations(self, x):
        """Each zone's unit locations from ``x``, or None if one has
        none."""
        found = [m.locations(np.round(part[:m.nv]).astype(int))
                 for m, part in zip(self.models, self.parts(x))]
        return None if any(f is None for f in found) else found


def crossed(relaxed, weights):
    """True when no zone's own relaxed peaks (``[(bound, peaks or
    None)]``) are the highest in every class of ``weights`` above 0.

    Otherwise the highest zone's peaks are the cloud's, a point every
    zone reaches, and its bound is the joint relaxation's: solving that
    would add nothing.
    """
    peaks = np.array([p for _, p in relaxed if p is not None])
    if len(peaks) < 2:
        return False
    top = peaks.max(axis=0)
    return not np.any(np.all(peaks[:, weights > 0]
                             >= top[weights > 0] - _EPS, axis=1))


def relaxed(models, weights, time_limit, largest=None):
    """``(bound, peaks (R,))`` of the zones' relaxation ``models``
    together, or ``(None, None)`` when larger than ``largest`` count
    variables (default :data:`LARGEST`) or not solved.

    Each zone keeps its columns (``keep_relaxed``): the counts its
    rounded fallback plan starts from must be under these peaks, which
    its own relaxation's may not be.
    """
    if not models or sum(m.nv for m in models) > (
            LARGEST if largest is None else largest):
        return None, None
    stack = Stack(models, relax=True)
    if np.any(stack.upper < stack.lower - 1e-12):
        return None, None
    res = optimize.milp(
        stack.peak_cost(weights), bounds=optimize.Bounds(stack.lower,
                                                         stack.upper),
        constraints=optimize.LinearConstraint(stack.matrix, stack.lo,
                                              stack.hi),
        options={'time_limit': max(time_limit, 0.05), 'disp': False})
    if res.status != 0 or res.x is None:
        return None, None
    for m, part in zip(models, stack.parts(res.x)):
        m.keep_relaxed(part)
    return float(res.fun), stack.peaks(res.x, len(weights))


def aim(models, relaxed, deadline):
    """(R,) peaks the zones can nearly reach together, from their own
    relaxations ``relaxed`` (``[(bound, peaks or None)]``, of ``models``),
    for clouds :func:`relaxed` does not take.

    The highest of the zones' own peaks, class by class, may be a point
    the cloud cannot reach (1,000 hosts, profile ``tight``, seed 100:
    0.648, where the zones together reach 0.640), and a zone that aims
    there lands that far above the bound. So a zone that makes the
    cloud's peak in one weighted class while it is below the others'
    peaks in another is solved again with the others' peaks as a floor
    (:meth:`~nova_lb.solver.shapes.ShapeCountModel.relaxed_above`): it
    trades the class it has room in for the one it makes. Zones with the
    lowest bounds go first: the zone with the highest bound is where
    the others should fit (its peaks are what the cloud can reach when
    they do), and going first it would trade its way off that point. By
    ``deadline``. Each zone's peaks stay its own, so the result is a
    point they all reach together, and its weighted peak never rises.
    """
    peaks = [p for _, p in relaxed]
    order = [i for _, i in sorted((b, i) for i, (b, p) in enumerate(relaxed)
                                  if p is not None)]
    zones = itertools.cycle(order)
    # Round the zones until none of them lowers the point (each move
    # lowers its weighted peak by _EPS at least, so this ends).
    still = 0
    while len(order) > 1 and still < len(order) and clock.left(deadline) > 0:
        i = next(zones)
        floor = np.max([p for j, p in enumerate(peaks)
                        if j != i and p is not None], axis=0)
        w = models[i].zone.weights
        still += 1
        if (np.any((w > 0) & (peaks[i] > floor + _EPS))
                and np.any((w > 0) & (peaks[i] < floor - _EPS))):
            better, x = models[i].relaxed_above(floor,
                                                clock.left(deadline))
            if better is not None and (w @ np.maximum(better, floor)
                                       < w @ np.maximum(peaks[i], floor)
                                       - _EPS):
                peaks[i], still = better, 0
                models[i].keep_relaxed(x)
    found = [p for p in peaks if p is not None]
    return np.max(found, axis=0) if found else None
