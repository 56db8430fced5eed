"""Is a planned move still right, just before it starts?

A plan is computed from a snapshot; by the time its move starts, minutes or
hours (or a daemon restart) later, the server may have moved, stopped or
gone, its destination may be disabled or filled by new boots. As Watcher's
``pre_condition`` does, every move is checked against the cloud as it is
now, and skipped with the reason when it no longer holds. This is also how
a restarted rebalancer never repeats a move: a server no longer on the
plan's source is not moved again.

Nova's scheduler checks the destination once more when the migration
starts (the executor never forces), so these checks are about not wasting
a migration and about reporting why a move was skipped.
"""

from nova_lb.model import cost

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


def check(move, cloud, provider_of):
    """Look at the cloud now; return why ``move`` must not start, or None.

    :param cloud: a :class:`nova_lb.executor.cloud.Cloud`.
    :param provider_of: ``{host: resource provider uuid}``.
    """
    reason = server_reason(move, cloud.server(move.server))
    if reason:
        return reason
    reason = service_reason(move, cloud.compute_service(move.destination))
    if reason:
        return reason
    rp = provider_of.get(move.destination)
    if rp is None:
        return 'no resource provider for %s' % move.destination
    inventories, usages = cloud.provider(rp)
    return room_reason(move, inventories, usages,
                       server_demand(cloud.allocations(move.server)))
