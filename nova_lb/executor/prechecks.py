"""Is a planned move still right, just before it starts?

A plan is computed from a snapshot; by the time its move starts, minutes or
hours (or a daemon restart) later, the server may have moved, stopped or
gone, its destination may be disabled or filled by new boots. As Watcher's
``pre_condition`` does, every move is checked against the cloud as it is
now, and skipped with the reason when it no longer holds. This is also how
a restarted rebalancer never repeats a move: a server no longer on the
plan's source is not moved again.

Everything a move depends on is read again: the server's state, task,
host and owner's opt-out (``nova_lb:movable`` set after the plan was
made), its Placement allocation, the destination's compute service, and
the destination's room in Placement now, counting the moves of this run
in flight to it that Placement does not show there yet (a migration holds
its destination only once Nova's scheduler has picked it).

Nova's scheduler checks the destination once more when the migration
starts (the executor never forces), so these checks are about not wasting
a migration, about the owner's word, and about reporting why a move was
skipped.
"""

from nova_lb import contract
from nova_lb.model import cost
from nova_lb.model import movable

HOST = 'OS-EXT-SRV-ATTR:host'
TASK_STATE = 'OS-EXT-STS:task_state'


def server_reason(move, server):
    """Why the server cannot be moved as planned, or None."""
    if server is None:
        return 'server is gone'
    host = server.get(HOST)
    if host == move.destination:
        return 'server is already on %s' % move.destination
    if host != move.source:
        return 'server is on %s, not on %s' % (host, move.source)
    if server['status'] != 'ACTIVE':
        return 'server is %s, not ACTIVE' % server['status']
    if server.get(TASK_STATE):
        return 'server is busy (task %s)' % server[TASK_STATE]
    if movable.opted_out(server.get('metadata') or {}):
        return 'its owner set %s=%s' % (
            contract.OPT_OUT_KEY, server['metadata'][contract.OPT_OUT_KEY])
    return None


def allocation_reason(move, allocations, source_rp):
    """Why the server's Placement allocation does not allow the move as
    planned, or None.

    :param allocations: ``{rp uuid: {resource class: amount}}`` the server
        holds.
    :param source_rp: the resource provider of the move's source.
    """
    if not allocations:
        return 'server holds no Placement allocation'
    if source_rp not in allocations:
        return 'server holds no allocation on %s (allocations astray)' % (
            move.source)
    return None


def service_reason(move, service):
    """Why the destination's compute service cannot take it, or None."""
    if service is None:
        return 'no compute service on %s' % move.destination
    if service['status'] != 'enabled':
        return 'compute service on %s is %s' % (move.destination,
                                                  service['status'])
    if service['state'] != 'up' or service.get('forced_down'):
        return 'compute service on %s is down' % move.destination
    return None


def room_reason(move, inventories, usages, demand):
    """Why the destination has no room for ``demand`` now, or None.

    :param inventories: the destination provider's Placement inventories.
    :param usages: its Placement usages.
    :param demand: ``{resource class: amount}`` the server holds.
    """
    for rc, amount in sorted(demand.items()):
        inv = inventories.get(rc)
        if inv is None:
            return '%s has no %s' % (move.destination, rc)
        cap = float(cost.capacity(inv['total'], inv['reserved'],
                                  inv['allocation_ratio']))
        used = usages.get(rc, 0)
        if used + amount > cap or amount > inv.get('max_unit', float('inf')):
            return '%s lacks %s: needs %s, %s of %s used' % (
                move.destination, rc, amount, used, int(cap))
    return None


def server_demand(allocations):
    """``{resource class: amount}`` a server holds over all providers."""
    demand = {}
    for resources in allocations.values():
        for rc, amount in resources.items():
            demand[rc] = demand.get(rc, 0) + amount
    return demand


def check(move, cloud, provider_of, in_flight=()):
    """Look at the cloud now; return why ``move`` must not start, or None.

    :param cloud: a :class:`nova_lb.cloud.executor_api.ExecutorApi`.
    :param provider_of: ``{host: resource provider uuid}``.
    :param in_flight: moves of this run still in flight.
    """
    reason = server_reason(move, cloud.server(move.server))
    if reason:
        return reason
    allocations = cloud.allocations(move.server)
    reason = allocation_reason(move, allocations,
                               provider_of.get(move.source))
    if reason:
        return reason
    reason = service_reason(move, cloud.compute_service(move.destination))
    if reason:
        return reason
    rp = provider_of.get(move.destination)
    if rp is None:
        return 'no resource provider for %s' % move.destination
    inventories, usages = cloud.provider(rp)
    return room_reason(move, inventories, _plus(usages, [
        server_demand(held) for held in (
            cloud.allocations(other.server) for other in in_flight
            if other.destination == move.destination)
        if rp not in held]), server_demand(allocations))


def _plus(usages, demands):
    """``usages`` with ``demands`` added."""
    total = dict(usages)
    for demand in demands:
        for rc, amount in demand.items():
            total[rc] = total.get(rc, 0) + amount
    return total
