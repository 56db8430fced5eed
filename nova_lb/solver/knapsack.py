"""Most valuable whole servers per kind of room, by dynamic programming.

The host patterns' pricing (:func:`nova_lb.solver.patterns._price`)
asks, for each of a zone's ~120 kinds of room, which whole servers of
most value fit it. One MILP over every kind, stopped at 0.1 s, ends
far from the best (1,000 hosts, ``large``, seed 103: patterns worth
2,443 where 2,662 fit), and the programme then stops short of its
optimum. Demands in whole units (vCPUs, 512 MiB of memory) make the
rooms a grid of a few hundred thousand points, and one table over it
answers every kind at once, exactly, in a few hundredths of a second.

The table spans the classes whose grid fits :data:`_GRID` points,
smallest first; a class outside it (disk, whose demands of 1 GiB make
a grid of thousands) is checked afterwards, and the kinds whose
servers overflow it are left to the caller: the table's value is then
an upper bound, not an answer.
"""

import numpy as np

#: Most points of the table: about 0.01 s per 10^5 points with 14
#: flavors (1,000 hosts, ``large``: 128 x 1,281 points, 0.017 s).
_GRID = 1 << 19


def best(demand, total, kinds, unit, price):
    """``(counts, fits, bound)``: per kind of room (T, R), the servers
    of most worth at ``price`` (K,) that fit the grid's classes (T, K),
    whether they fit every class (T,), and their worth, an upper bound
    on any servers that fit the kind (T,).

    ``demand`` (K, R), at most ``total`` (K,) servers of each shape;
    ``unit`` (R,) each class's common divisor of demands and room, 0
    where they are not whole (that class stays off the grid). Without
    a grid class every kind is unanswered: counts 0, bound infinite.
    """
    axes = _axes(kinds, unit)
    counts = np.zeros((len(kinds), len(demand)))
    if not axes:
        return counts, np.zeros(len(kinds), bool), np.full(len(kinds),
                                                           np.inf)
    at = np.floor(kinds[:, axes] / unit[axes] + 1e-9).astype(int)
    shape = tuple(at.max(axis=0, initial=0) + 1)
    steps = np.round(demand[:, axes] / unit[axes]).astype(int)
    table = np.zeros(shape)
    layers = []
    for k in np.flatnonzero(price > 0):
        for n in _pieces(int(min(total[k], _most(steps[k], shape)))):
            shift = steps[k] * n
            src = tuple(slice(0, s - d) for s, d in zip(shape, shift))
            dst = tuple(slice(d, None) for d in shift)
            taken = table[src] + price[k] * n
            better = taken > table[dst]
            table[dst] = np.where(better, taken, table[dst])
            layers.append((k, n, shift, better))
    bound = table[tuple(at.T)]
    # Back through the layers, every kind at once: a kind took a layer's
    # servers where that layer made its value better.
    for k, n, shift, better in reversed(layers):
        back = at - shift
        took = np.flatnonzero(np.all(back >= 0, axis=1))
        took = took[better[tuple(back[took].T)]]
        counts[took, k] += n
        at[took] = back[took]
    fits = np.all(counts @ demand <= kinds + 1e-9, axis=1)
    return counts, fits, bound


def _axes(kinds, unit):
    """The classes of the table: whole units, smallest grid first, while
    the grid has at most :data:`_GRID` points."""
    axes, points = [], 1
    whole = np.flatnonzero(unit > 0)
    extent = kinds[:, whole].max(axis=0, initial=0) / unit[whole] + 1
    for r, e in sorted(zip(whole, extent), key=lambda a: a[1]):
        if points * e <= _GRID:
            axes.append(int(r))
            points *= e
    return axes


def _most(steps, shape):
    """How many servers of ``steps`` (units per class) the largest room
    of the table holds."""
    used = steps > 0
    if not used.any():
        return np.inf
    return np.min((np.array(shape)[used] - 1) // steps[used])


def _pieces(n):
    """1, 2, 4, ... and the rest, summing to ``n``: any count up to ``n``
    is a sum of some of them, so a bounded choice becomes a few 0/1
    ones."""
    piece = 1
    while n > 0:
        yield min(piece, n)
        n -= piece
        piece *= 2
