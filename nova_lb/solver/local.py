"""Local search: cool the hottest host by moves and swaps, then prune.

A host's *heat* is its highest weighted utilisation above the zone's lower
bound (:meth:`Zone.lower_bound`), or above the aim when the caller gives
one (see :func:`descend`). The greedy heuristic stalls when
every host is equally hot but in different resource classes (CPU-heavy
hosts next to memory-heavy ones): no single move helps, yet swapping a
CPU-heavy server for a memory-heavy one cools both hosts. :func:`descend`
tries, on the hottest host, the best single move and else the best swap,
until neither cools it. :func:`prune` then sends back every moved server
whose move is not needed to stay under a given heat, to save migrations.
"""

import time

import numpy as np

from nova_lb.model import constraints

_EPS = 1e-9
#: A step must cool the hottest host by at least this much.
_STEP = 1e-6
#: Hosts :func:`descend` sets aside, with no step between, before it
#: gives up.
_SET_ASIDE = 8


class _Search(object):

    def __init__(self, zone, location, aim=None):
        self.zone = zone
        self.bound = zone.lower_bound() if aim is None else aim
        self.floor = np.zeros(len(zone.weights)) if aim is None else aim
        self.weighted = zone.weights > 0
        self.cap = np.where(zone.capacity > 0, zone.capacity,
                            np.inf)[:, self.weighted]
        self.location = np.array(location)
        #: Units away from their host now: the moves so far.
        self.moved = int(np.sum(self.location != zone.unit_host))
        self.usage = zone.usage_after(self.location)
        self.free = zone.unit_group < 0
        self.counts = [np.array(c) for c in zone.anti_count]
        for g, count in enumerate(self.counts):
            mine = zone.unit_group == g
            np.add.at(count, zone.unit_host[mine], -1)
            np.add.at(count, self.location[mine], 1)
        self.on_host = {}
        for u, h in enumerate(self.location):
            self.on_host.setdefault(int(h), set()).add(u)
        hosts = np.arange(len(zone.hosts))
        self.current = np.where(constraints.Drain.gives(zone.accepts,
                                                        zone.drain),
                                self.heat(self.usage, hosts), -np.inf)
        self.best_value = zone.weighted(np.maximum(zone.peaks(self.usage),
                                                   self.floor))
        self.best = np.array(self.location)

    def keep_if_best(self):
        """Remember the locations with the lowest weighted peak so far.

        Cooling the hottest host does not always lower the weighted sum
        of the classes' peaks, which is what the solver minimises.
        """
        value = self.zone.weighted(np.maximum(self.zone.peaks(self.usage),
                                              self.floor))
        if value < self.best_value - _EPS:
            self.best_value, self.best = value, np.array(self.location)

    def heat(self, used, rows):
        return (used[..., self.weighted] / self.cap[rows]
                - self.bound[self.weighted]).max(-1)

    def units(self, h):
        return np.array(sorted(self.on_host.get(h, ())), dtype=int)

    def move(self, u, d):
        z, h = self.zone, int(self.location[u])
        self.usage[h] -= z.unit_demand[u]
        self.usage[d] += z.unit_demand[u]
        g = z.unit_group[u]
        if g >= 0:
            self.counts[g][h] -= 1
            self.counts[g][d] += 1
        home = z.unit_host[u]
        self.moved += int(d != home) - int(h != home)
        self.on_host[h].discard(u)
        self.on_host.setdefault(d, set()).add(u)
        self.location[u] = d
        for x in (h, d):
            if self.current[x] > -np.inf:
                self.current[x] = self.heat(self.usage[x], x)

    def best_move(self, h, dests):
        z = self.zone
        units = self.units(h)
        if not len(units):
            return np.inf, None
        demand = z.unit_demand[units]
        after = self.usage[dests][None, :, :] + demand[:, None, :]
        ok = constraints.Capacity.fits(after, z.limit[dests][None])
        for i in np.flatnonzero(~self.free[units]):
            g = z.unit_group[units[i]]
            ok[i] &= constraints.AntiAffinity.admits(self.counts[g][dests],
                                                     z.anti_allow[g][dests])
        left = self.heat(self.usage[h] - demand, np.full(len(units), h))
        new = np.where(ok, np.maximum(left[:, None],
                                      self.heat(after, dests[None, :])),
                       np.inf)
        i, j = np.unravel_index(int(np.argmin(new)), new.shape)
        return new[i, j], [(int(units[i]), int(dests[j]))]

    def best_swap(self, h, dests):
        """Swaps of servers outside anti-affinity groups (both ends).

        Every pair of ``h``'s servers and the ``dests``' servers at once;
        of equally good ones, the first destination's, then the first of
        ``h``'s servers.
        """
        z = self.zone
        mine = self.units(h)
        mine = mine[self.free[mine]]
        if not len(mine) or not z.receives[h]:
            return np.inf, None
        theirs = [self.units(int(d)) for d in dests]
        at = np.repeat(np.arange(len(dests)), [len(t) for t in theirs])
        theirs = np.concatenate(theirs + [np.zeros(0, dtype=int)])
        keep = self.free[theirs]
        theirs, at = theirs[keep], at[keep]
        if not len(theirs):
            return np.inf, None
        d = dests[at]
        delta = (z.unit_demand[theirs][None, :, :]
                 - z.unit_demand[mine][:, None, :])
        at_h = self.usage[h] + delta
        at_d = self.usage[d][None] - delta
        ok = (constraints.Capacity.fits(at_h, z.limit[h])
              & constraints.Capacity.fits(at_d, z.limit[d][None]))
        new = np.where(ok, np.maximum(self.heat(at_h, h),
                                      self.heat(at_d, d[None])), np.inf)
        best = new.min()
        if best == np.inf:
            return best, None
        i, j = np.nonzero(new == best)
        first = np.lexsort((j, i, at[j]))[0]
        i, j = int(i[first]), int(j[first])
        return best, [(int(mine[i]), int(d[j])), (int(theirs[j]), h)]


def descend(zone, location, budget, deadline=None, width=48, aim=None):
    """Cool the hottest host while a move or a swap does; new locations.

    Stops when every host is within the aim (or the bound), when
    neither cools the hottest host (after setting a few such hosts
    aside: any step taken gives them another try, for the hosts it
    changed may be partners with room now), the budget of moves is
    spent, or at ``deadline`` (``time.monotonic()``).

    :param aim: (R,) peaks per class the cloud is aimed at (the highest
        relaxed peaks of any zone): heat is measured above them instead
        of above the zone's lower bound, and a class cooled below its aim
        counts as at its aim, so the search does not trade the other
        classes up for a drop the cloud's peak would not show. None: the
        zone alone.
    """
    search = _Search(zone, location, aim)
    hosts = np.arange(len(zone.hosts))
    stuck = np.zeros(len(hosts), dtype=bool)
    for _ in range(2 * len(zone.units) + 1):
        if deadline and time.monotonic() > deadline:
            break
        # A host nothing cools (e.g. one full of servers that may not
        # move) is set aside, a few at most: others' peaks may still drop.
        h = int(np.argmax(np.where(stuck, -np.inf, search.current)))
        hot = search.current[h]
        moved = search.moved
        dests = hosts[zone.receives & (hosts != h)]
        # At or below the aim (or the bound) everywhere: cooler hosts
        # would not lower the weighted peak.
        if hot <= 0 or not len(dests) or moved >= budget:
            break
        value, steps = search.best_move(
            h, dests[_lowest(search.current[dests], width)])
        if not value < hot - _STEP and moved + 2 <= budget:
            # Swap partners: hosts with the most room in h's hot class.
            rc = np.argmax(search.usage[h, search.weighted]
                           / search.cap[h] - search.bound[search.weighted])
            util = (search.usage[dests][:, search.weighted][:, rc]
                    / search.cap[dests][:, rc])
            value, steps = search.best_swap(h, dests[_lowest(util, width)])
        if not value < hot - _STEP:
            stuck[h] = True
            if stuck.sum() > _SET_ASIDE:
                break
            continue
        for u, d in steps:
            search.move(u, d)
        # The hosts set aside may now have partners with room.
        stuck[:] = False
        search.keep_if_best()
    return search.best


def _lowest(values, width):
    """Indices of the ``width`` lowest ``values``, lowest first: a
    partition, then a sort of those alone (zones of thousands of hosts
    take this at every step)."""
    if len(values) > width:
        part = np.argpartition(values, width)[:width]
    else:
        part = np.arange(len(values))
    return part[np.argsort(values[part], kind='stable')]


def prune(zone, location, target):
    """Send moved units home while every host stays within ``target`` (R,).

    :returns: locations with fewer (never more) moves.
    """
    search = _Search(zone, location)
    top = np.where(zone.weights > 0, target * zone.capacity, np.inf)
    moved = np.flatnonzero(search.location != zone.unit_host)
    # Big moves are the costly ones: try to undo them first.
    ram = zone.unit_ram[moved]
    for u in moved[np.argsort(-ram)]:
        home = int(zone.unit_host[u])
        if constraints.Drain.must_move(zone.drain, home):
            continue
        if (np.all(search.usage[home] + zone.unit_demand[u] <= top[home]
                   + _EPS) and _fits_home(search, u, home)):
            search.move(int(u), home)
    return search.location


def _fits_home(search, u, home):
    """``u`` may go back to ``home``: it ends within its
    :meth:`~nova_lb.model.constraints.Capacity.ceiling`."""
    z = search.zone
    if not constraints.Capacity.fits(
            search.usage[home] + z.unit_demand[u],
            constraints.Capacity.ceiling(z.limit[home], z.usage[home])):
        return False
    g = z.unit_group[u]
    return g < 0 or constraints.AntiAffinity.admits(search.counts[g][home],
                                                    z.anti_allow[g][home])
