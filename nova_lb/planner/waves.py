"""Order the solver's moves into waves that never overcommit a host.

A live migration holds its resources on the source and the destination
until it ends, so a wave is checked with every move charged at both ends;
the sources are freed only when the wave is over. A host takes part in at
most ``per_host`` migrations of a wave (as source or destination, like
Nova's ``max_concurrent_live_migrations``), a wave has at most
``per_wave`` migrations, and an anti-affinity group never has more
members on a host than allowed at any moment (Nova's filter checks each
migration). Moves off the most loaded hosts go first: they free the room
later moves need.

When no pending move can start (a cycle, A->B while B->A on full hosts),
one of them goes through a host with room (an extra hop, still a valid
plan); if no host has room, it is left out with the reason. Every step is
checked as it is placed, so the waves are valid by construction.
"""

import collections

import numpy as np

from nova_lb.model import cluster as cluster_model
from nova_lb.model import constraints

Step = collections.namedtuple('Step', 'server source destination wave')


class _State(object):
    """Usage and anti-affinity counts as the waves go by, tested by
    :class:`~nova_lb.model.constraints.Capacity` and
    :class:`~nova_lb.model.constraints.AntiAffinity`."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.usage = cluster.usage()
        self.limit = np.asarray(cluster.limit, dtype=float)
        self.group = {}
        self.count = collections.Counter()
        self.allow = {}
        for g in cluster.groups:
            if g.policy != cluster_model.ANTI_AFFINITY:
                continue
            for h in g.fixed_hosts:
                self.count[g.uuid, int(h)] += 1
            for s in g.members:
                self.group[s] = g
                self.count[g.uuid, int(cluster.location[s])] += 1
        by_uuid = {g.uuid: g for g in cluster.groups}
        for (uuid, h), n in list(self.count.items()):
            self.allow[uuid, h] = constraints.AntiAffinity.allowance(
                n, by_uuid[uuid].max_server_per_host)

    def fits(self, s, dest):
        """Server ``s`` may start a migration to ``dest`` now."""
        if not constraints.Capacity.fits(
                self.usage[dest] + self.cluster.demand[s], self.limit[dest]):
            return False
        g = self.group.get(s)
        if g is None:
            return True
        allowed = self.allow.get((g.uuid, dest), g.max_server_per_host)
        return constraints.AntiAffinity.admits(self.count[g.uuid, dest],
                                               allowed)

    def start(self, s, dest):
        """Charge the destination; the source stays charged."""
        self.usage[dest] += self.cluster.demand[s]
        g = self.group.get(s)
        if g is not None:
            self.count[g.uuid, dest] += 1

    def finish(self, s, source):
        self.usage[source] -= self.cluster.demand[s]
        g = self.group.get(s)
        if g is not None:
            self.count[g.uuid, source] -= 1


def order(cluster, location, per_host=1, per_wave=0):
    """``(steps, left_out, final location)`` for moving to ``location``.

    :param per_host: most migrations a host takes part in per wave.
    :param per_wave: most migrations per wave; 0 means no limit.
    """
    state = _State(cluster)
    where = np.array(cluster.location, dtype=int)
    util = cluster.utilisation()
    heat = cluster.cost.for_classes(cluster.resource_classes).peak(util)
    pending = sorted(
        (int(s) for s in np.flatnonzero(np.asarray(location) != where)),
        key=lambda s: (-heat[where[s]], -float(cluster.demand[s].sum())))
    goal = {s: int(location[s]) for s in pending}
    hopped = set()
    steps, left_out = [], []
    wave = 0
    while pending:
        placed = _fill(state, where, goal, pending, per_host, per_wave)
        if not placed:
            placed = _unblock(cluster, state, where, goal, pending, hopped,
                              left_out)
            if not placed:
                continue
        for s, dest in placed:
            steps.append(Step(cluster.servers[s], cluster.hosts[where[s]],
                              cluster.hosts[dest], wave))
            state.finish(s, where[s])
            where[s] = dest
        # One pass per wave, not one per move: plans of tens of thousands
        # of moves spent seconds here.
        arrived = {s for s, dest in placed if dest == goal[s]}
        pending = [s for s in pending if s not in arrived]
        wave += 1
    return steps, left_out, where


def _fill(state, where, goal, pending, per_host, per_wave):
    """One wave: every pending move that can start now, in order."""
    busy = collections.Counter()
    placed = []
    for s in pending:
        src, dest = int(where[s]), goal[s]
        if busy[src] >= per_host or busy[dest] >= per_host:
            continue
        if not state.fits(s, dest):
            continue
        state.start(s, dest)
        busy[src] += 1
        busy[dest] += 1
        placed.append((s, dest))
        if per_wave and len(placed) >= per_wave:
            break
    return placed


def _unblock(cluster, state, where, goal, pending, hopped, left_out):
    """Nothing can start: send one blocked server through a host with room.

    Every pending move is tried, in order, not only the first: in a cycle
    the server that cannot hop (too big for any host with room) is freed
    by another that can. A move is left out only when no pending server
    has a host to hop through.

    A hop goes to the emptiest host no pending move is bound for, else
    to the emptiest: the emptiest is often one waiting for a large
    server, and a server that hops there takes its room (1,000 hosts,
    profile ``large``, seed 8: a 64 GB server hopped onto the host a
    128 GB one had to go to, and six moves were left out).

    :returns: the one-move wave, or ``[]`` after leaving a move out.
    """
    awaited = np.zeros(len(cluster.hosts), dtype=bool)
    awaited[[goal[s] for s in pending]] = True
    order = np.lexsort((state.usage.sum(axis=1) / np.maximum(
        state.limit.sum(axis=1), 1e-9), awaited))
    for s in pending:
        if s in hopped:
            continue
        src = int(where[s])
        for via in order:
            via = int(via)
            if (via not in (src, goal[s])
                    and constraints.SameZone.same(cluster.host_az, via, src)
                    and cluster.accepts[via] and state.fits(s, via)):
                hopped.add(s)
                state.start(s, via)
                return [(s, via)]
    s = pending.pop(0)
    left_out.append({
        'server': cluster.servers[s], 'source': cluster.hosts[where[s]],
        'destination': cluster.hosts[goal[s]],
        'reason': 'no order of migrations frees room on %s for it, and no '
                  'host has room for an extra hop' % cluster.hosts[goal[s]]})
    return []
