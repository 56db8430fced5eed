"""Which hosts a plan may use, which servers may move, and why not.

Every server that stays put gets a reason an admin can act on ("status
SHUTOFF", "project p1 excluded by [planner] exclude_projects"), because a
plan that silently ignores half the cloud looks like a broken balancer.
"""

from oslo_utils import strutils

from nova_lb import contract
from nova_lb.model import cluster


def usable_hosts(snap, scope):
    """Hosts a plan may use, sorted; and host -> why not, for the others.

    A usable host may still refuse servers (disabled, draining): it can
    give servers away. Excluded and down hosts neither give nor receive.
    """
    zones = snap.host_zones()
    excluded_in = {}
    for agg in snap.aggregates:
        if agg.name in scope.aggregates:
            for host in agg.hosts:
                excluded_in.setdefault(host, agg.name)
    usable, reasons = [], {}
    for host in sorted(snap.services):
        zone = zones.get(host) or snap.services[host].zone
        if host not in snap.host_providers:
            reasons[host] = 'host %s has no hypervisor' % host
        elif host in scope.hosts:
            reasons[host] = ('host %s excluded by [planner] exclude_hosts'
                             % host)
        elif host in excluded_in:
            reasons[host] = ('host %s is in aggregate %s, excluded by '
                             '[planner] exclude_aggregates'
                             % (host, excluded_in[host]))
        elif zone in scope.availability_zones:
            reasons[host] = ('host %s is in availability zone %s, excluded '
                             'by [planner] exclude_availability_zones'
                             % (host, zone))
        elif not snap.services[host].up:
            reasons[host] = 'nova-compute on host %s is down' % host
        else:
            usable.append(host)
    return usable, reasons


def opted_out(metadata):
    """The owner set ``nova_lb:movable`` to a false value in a server's
    ``metadata``."""
    value = metadata.get(contract.OPT_OUT_KEY)
    return value is not None and not strutils.bool_from_string(
        value, default=True)


def movable_servers(snap, scope, index, host_reasons):
    """``({uuid: row in snap.servers}, {uuid: reason})`` for every server.

    ``index`` maps usable hosts to their position; ``host_reasons`` says
    why the other hosts are not usable.
    """
    in_flight = {m.server: m for m in snap.migrations}
    rows, left_alone = {}, {}
    for row, server in enumerate(snap.servers):
        reason = _why_stays(server, scope, index, host_reasons, in_flight)
        if reason:
            left_alone[server.uuid] = reason
        else:
            rows[server.uuid] = row
    return rows, left_alone


def _why_stays(server, scope, index, host_reasons, in_flight):
    if server.host is None:
        return 'not on any host'
    if server.status != 'ACTIVE':
        return 'status %s: only ACTIVE servers are live-migrated' % (
            server.status)
    if server.task_state:
        return 'task %s in progress' % server.task_state
    if opted_out(server.metadata):
        return 'opted out by metadata %s=%s' % (
            contract.OPT_OUT_KEY, server.metadata[contract.OPT_OUT_KEY])
    if server.project in scope.projects:
        return 'project %s excluded by [planner] exclude_projects' % (
            server.project)
    if server.flavor_name in scope.flavors:
        return 'flavor %s excluded by [planner] exclude_flavors' % (
            server.flavor_name)
    if server.host not in index:
        return host_reasons.get(
            server.host, 'host %s has no nova-compute service' % server.host)
    if server.uuid in in_flight:
        mig = in_flight[server.uuid]
        return 'migration %s is %s' % (mig.uuid, mig.status)
    return None


def server_groups(snap, index, rows, left_alone):
    """Groups with a movable member, members as rows of ``snap.servers``.

    Members that stay put give their hosts as ``fixed_hosts``. A movable
    member of an affinity group whose other member sits on a host the plan
    may not use cannot move without breaking the group, so it stays too.
    """
    result = []
    for group in snap.server_groups:
        members = [m for m in group.members if m in snap.server_index]
        moving = [m for m in members if m in rows]
        if not moving:
            continue
        fixed = {snap.servers[snap.server_index[m]].host
                 for m in members if m not in rows} - {None}
        outside = sorted(h for h in fixed if h not in index)
        if group.policy == cluster.AFFINITY and outside:
            for m in moving:
                left_alone[m] = ('affinity group %s has a member on host %s, '
                                 'which the plan may not use'
                                 % (group.name or group.uuid, outside[0]))
                del rows[m]
            continue
        result.append(cluster.ServerGroup(
            uuid=group.uuid, name=group.name, policy=group.policy,
            members=tuple(rows[m] for m in moving),
            fixed_hosts=tuple(sorted(index[h] for h in fixed if h in index)),
            max_server_per_host=int(group.rules.get('max_server_per_host',
                                                    1))))
    return result
