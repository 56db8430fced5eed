"""What one live migration may do, judged from a snapshot alone.

The plan checker's rules, kept apart from the solver and the wave planner
on purpose: they read the snapshot's records directly (services, server
states and metadata, aggregates, allocations) and share no code with the
model builder, so a mistake there cannot hide itself here.
"""

import numpy as np
from oslo_utils import strutils

from nova_lb.conf import nova_lb_group
from nova_lb import contract
from nova_lb.model import cost


class SnapshotFacts(object):
    """The snapshot's facts the rules need, read once.

    ``limits`` is a :class:`nova_lb.planner.checker.Limits`.
    """

    def __init__(self, snap, limits):
        self.snap, self.limits = snap, limits
        self.classes = sorted({rc for p in snap.providers.values()
                               for rc in p.inventories})
        self.col = {rc: j for j, rc in enumerate(self.classes)}
        self.usage, self.limit = {}, {}
        overrides = {rc: snap.aggregate_minimum(contract.aggregate_key(opt))
                     for rc, opt in nova_lb_group.CEILING_OPTS.items()}
        for host, rps in snap.host_providers.items():
            used, cap = self._host_totals(rps)
            ceiling = np.array([
                overrides.get(rc, {}).get(host, limits.ceilings.get(rc, 1.0))
                for rc in self.classes])
            self.usage[host], self.limit[host] = used, cap * ceiling
        self.zones = {host: zone or snap.services[host].zone
                      for host, zone in snap.host_zones().items()}
        self.off_limits = _off_limits(snap, limits.scope)
        self.draining = {h for agg in snap.aggregates
                         if agg.name == limits.draining_aggregate
                         for h in agg.hosts}
        self.in_flight = {m.server for m in snap.migrations}

    def _host_totals(self, rps):
        """Usage and capacity summed over a host's providers."""
        used, cap = np.zeros(len(self.classes)), np.zeros(len(self.classes))
        for rp in rps:
            provider = self.snap.providers[rp]
            for rc, inv in provider.inventories.items():
                cap[self.col[rc]] += cost.capacity(
                    inv.total, inv.reserved, inv.allocation_ratio)
            for resources in provider.allocations.values():
                for rc, amount in resources.items():
                    used[self.col[rc]] += amount
        return used, cap

    def demand(self, server):
        """What the server holds on its snapshot host's providers."""
        host = self.snap.servers[self.snap.server_index[server]].host
        demand = np.zeros(len(self.classes))
        for rp in self.snap.host_providers.get(host, ()):
            for rc, amount in self.snap.providers[rp].allocations.get(
                    server, {}).items():
                demand[self.col[rc]] += amount
        return demand

    def why_not_movable(self, server, at):
        """Every reason the server, now on host ``at``, may not move."""
        s = self.snap.servers[self.snap.server_index[server]]
        scope = self.limits.scope
        why = []
        if s.status != 'ACTIVE':
            why.append('status %s' % s.status)
        if s.task_state:
            why.append('task %s in progress' % s.task_state)
        opt_out = s.metadata.get(contract.OPT_OUT_KEY)
        if opt_out is not None and not strutils.bool_from_string(
                opt_out, default=True):
            why.append('opted out by metadata %s=%s'
                       % (contract.OPT_OUT_KEY, opt_out))
        if s.project in scope.projects:
            why.append('project %s is excluded' % s.project)
        if s.flavor_name in scope.flavors:
            why.append('flavor %s is excluded' % s.flavor_name)
        if server in self.in_flight:
            why.append('a migration of it is in flight')
        if at is None:
            why.append('it is on no host')
        elif at in self.off_limits:
            why.append(self.off_limits[at])
        elif at not in self.snap.services or not self.snap.services[at].up:
            why.append('its host %s is down' % at)
        elif not self.demand(server).any():
            why.append('it holds no Placement allocation on its host')
        return why

    def destination_problems(self, dest, at):
        """``[(kind, why)]`` for a known compute host ``dest``."""
        service = self.snap.services[dest]
        checks = (
            ('destination-disabled', not service.enabled,
             'is disabled (%s)' % service.disabled_reason),
            ('destination-down', not service.up, 'has nova-compute down'),
            ('destination-excluded', dest in self.off_limits,
             self.off_limits.get(dest)),
            ('destination-draining', dest in self.draining,
             'is in the draining aggregate %s'
             % self.limits.draining_aggregate),
            ('cross-zone', self.zones.get(dest) != self.zones.get(at),
             'is in availability zone %s, the server in %s'
             % (self.zones.get(dest), self.zones.get(at))),
        )
        return [(kind, why) for kind, broken, why in checks if broken]


def _off_limits(snap, scope):
    """host -> why the admin excluded it."""
    result = {}
    zones = snap.host_zones()
    for host, service in snap.services.items():
        zone = zones.get(host) or service.zone
        if host in scope.hosts:
            result[host] = 'host %s is excluded' % host
        elif zone in scope.availability_zones:
            result[host] = 'host %s is in excluded zone %s' % (host, zone)
    for agg in snap.aggregates:
        if agg.name in scope.aggregates:
            for host in agg.hosts:
                result.setdefault(host, 'host %s is in excluded aggregate %s'
                                  % (host, agg.name))
    return result
