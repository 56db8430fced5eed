"""One availability zone's share of the balancing problem.

A server never leaves its AZ (:class:`~nova_lb.model.constraints.SameZone`),
a host is in exactly one AZ and a Nova server is in at most one server
group, so the zones are independent problems: solving them one at a time
loses nothing and keeps each model small.

Inside a zone the solver moves *units* (today: single servers; members of
affinity groups are pinned, see
:class:`~nova_lb.model.constraints.AffinityPinned`).
The rules themselves are in :mod:`nova_lb.model.constraints`; a zone
carries the arrays they read.
Soft affinity and soft anti-affinity are not modelled: Nova itself treats
them as best effort (a weigher at boot, not checked by live migration), so
the solver neither enforces nor repairs them.
"""

import dataclasses

import numpy as np

from nova_lb.model import cluster as cluster_model
from nova_lb.model import constraints
from nova_lb.model import cost


@dataclasses.dataclass
class Zone:
    """Local arrays of one zone; host indices are local (0..h-1)."""

    name: str
    hosts: np.ndarray        # (h,) global host indices
    usage: np.ndarray        # (h, R) usage now
    capacity: np.ndarray     # (h, R)
    limit: np.ndarray        # (h, R)
    accepts: np.ndarray      # (h,) counts for the peak, may receive
    receives: np.ndarray     # (h,) accepts and is within its limit now
    drain: np.ndarray        # (h,) every unit on it must leave
    weights: np.ndarray      # (R,) scaled to sum to 1
    units: list              # [tuple of global server indices]
    unit_host: np.ndarray    # (u,) local host of each unit
    unit_demand: np.ndarray  # (u, R)
    unit_ram: np.ndarray     # (u,) RAM, for the migration cost
    unit_group: np.ndarray   # (u,) index into anti_allow or -1
    anti_count: list         # per anti-affinity group: (h,) members now
    anti_allow: list         # per anti-affinity group: (h,) most allowed

    def util(self, usage=None):
        """(h, R) the shared :func:`nova_lb.model.cost.utilisation`."""
        return cost.utilisation(self.usage if usage is None else usage,
                                self.capacity)

    def peaks(self, usage=None):
        """(R,) highest utilisation over the hosts that count."""
        util = self.util(usage)[self.accepts]
        if not len(util):
            return np.zeros(len(self.weights))
        return util.max(axis=0)

    def weighted(self, peaks):
        """The zone's objective: :func:`nova_lb.model.cost.weighted_peak`
        of ``peaks``."""
        return cost.weighted_peak(self.weights, peaks)

    def lower_bound(self):
        """(R,) a peak utilisation no plan of this zone can go below.

        Servers only move within the zone and only onto hosts that count,
        so the load on those hosts never shrinks and their peak is at
        least their mean utilisation. Nor can a counted host go below what
        no plan moves off it. Neither needs a solver.
        """
        counted = self.accepts
        cap = self.capacity[counted].sum(axis=0)
        used = self.usage[counted].sum(axis=0)
        mean = np.where(cap > 0, used / np.where(cap > 0, cap, 1.0), 0.0)
        movable = np.zeros_like(self.usage)
        np.add.at(movable, self.unit_host, self.unit_demand)
        stays = self.util(self.usage - movable)[counted]
        return np.maximum(mean, stays.max(axis=0, initial=0.0))

    def must_move(self):
        """(u,) bool: units on hosts being drained."""
        return constraints.Drain.must_move(self.drain, self.unit_host)

    def usage_after(self, unit_host):
        usage = np.array(self.usage)
        moved = unit_host != self.unit_host
        np.add.at(usage, self.unit_host[moved], -self.unit_demand[moved])
        np.add.at(usage, unit_host[moved], self.unit_demand[moved])
        return usage

    def peaks_after(self, unit_host):
        """(R,) :meth:`peaks` once every unit is on ``unit_host``."""
        return self.peaks(self.usage_after(unit_host))

    def weighted_after(self, unit_host):
        """:meth:`weighted` of :meth:`peaks_after`: the score by which
        two plans of the zone compare."""
        return self.weighted(self.peaks_after(unit_host))


def _units(cluster):
    """Movable units, each server's group and the servers pinned by
    :class:`~nova_lb.model.constraints.AffinityPinned`, with reasons."""
    group_of = {s: group for group in cluster.groups for s in group.members}
    pinned = constraints.AffinityPinned.pinned(cluster.groups,
                                               cluster.servers)
    units = [(s,) for s in range(len(cluster.servers))
             if cluster.servers[s] not in pinned]
    return units, group_of, pinned


def class_weights(cluster):
    """(R,) :meth:`nova_lb.model.cost.CostModel.shares` of the cluster's
    classes: the weights of the solver's objective."""
    return cluster.cost.for_classes(cluster.resource_classes).shares


def split(cluster, drain=frozenset()):
    """``([Zone], pinned)`` for a :class:`~nova_lb.model.cluster.Cluster`.

    :param drain: names of hosts every movable server must leave.
    """
    units, group_of, pinned = _units(cluster)
    weights = class_weights(cluster)
    ram = (cluster.resource_classes.index('MEMORY_MB')
           if 'MEMORY_MB' in cluster.resource_classes else None)
    usage = cluster.usage()
    zones = []
    for name, mask in constraints.SameZone.members(cluster.host_az).items():
        hosts = np.flatnonzero(mask)
        local = {int(h): i for i, h in enumerate(hosts)}
        mine = [u for u in units if int(cluster.location[u[0]]) in local]
        demand = np.array([cluster.demand[list(u)].sum(axis=0)
                           for u in mine]).reshape(-1, len(weights))
        accepts = np.asarray(cluster.accepts, dtype=bool)[hosts]
        within = constraints.Capacity.within(usage[hosts],
                                             cluster.limit[hosts])
        anti, unit_group = _anti_affinity(cluster, mine, group_of, local)
        zones.append(Zone(
            name=name, hosts=hosts, usage=usage[hosts],
            capacity=np.asarray(cluster.capacity, float)[hosts],
            limit=np.asarray(cluster.limit, float)[hosts],
            accepts=accepts, receives=accepts & within, weights=weights,
            drain=np.array([cluster.hosts[h] in drain for h in hosts],
                           dtype=bool),
            units=mine,
            unit_host=np.array([local[int(cluster.location[u[0]])]
                                for u in mine], dtype=int),
            unit_demand=demand,
            unit_ram=(demand[:, ram] if ram is not None
                      else np.ones(len(mine))),
            unit_group=unit_group,
            anti_count=[a[0] for a in anti], anti_allow=[a[1] for a in anti]))
    return zones, pinned


def _anti_affinity(cluster, units, group_of, local):
    """Per anti-affinity group of the zone: member counts and
    :meth:`~nova_lb.model.constraints.AntiAffinity.allowance`."""
    index = {}
    counts = []
    unit_group = np.full(len(units), -1, dtype=int)
    for i, unit in enumerate(units):
        group = group_of.get(unit[0])
        if group is None or group.policy != cluster_model.ANTI_AFFINITY:
            continue
        if group.uuid not in index:
            index[group.uuid] = len(counts)
            count = np.zeros(len(local), dtype=int)
            for h in list(group.fixed_hosts) + [
                    int(cluster.location[s]) for s in group.members]:
                if int(h) in local:
                    count[local[int(h)]] += 1
            counts.append((count, constraints.AntiAffinity.allowance(
                count, group.max_server_per_host)))
        unit_group[i] = index[group.uuid]
    return counts, unit_group
