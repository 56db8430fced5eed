"""Nova's compute bodies as frozen records: servers, services,
hypervisors, aggregates, server groups and migrations.

Only the keys nova-lb relies on are checked and kept; the rest of each body
stays in the snapshot file for whoever needs it.
"""

import types

from nova_lb.model import fields

_ro = types.MappingProxyType

#: Nova migration statuses after which a migration holds no resources.
FINISHED_MIGRATION_STATUSES = frozenset((
    'completed', 'confirmed', 'reverted', 'error', 'failed', 'cancelled',
    'done'))
#: Final statuses of a migration that went wrong: Nova may leave its
#: Placement allocations behind (e.g. swapped between source and
#: destination when the source compute died mid-way).
FAILED_MIGRATION_STATUSES = frozenset(('error', 'failed'))


@fields.record
class Server:
    uuid: str
    name: str
    status: str
    task_state: object
    vm_state: object
    host: object
    node: object
    project: str
    user: object
    flavor: types.MappingProxyType
    metadata: types.MappingProxyType

    @property
    def flavor_name(self):
        return self.flavor.get('original_name')


@fields.record
class Service:
    host: str
    zone: object
    enabled: bool
    up: bool
    disabled_reason: object


@fields.record
class Hypervisor:
    uuid: str
    hostname: str
    host: str


@fields.record
class Aggregate:
    uuid: object
    name: str
    availability_zone: object
    hosts: tuple
    metadata: types.MappingProxyType


@fields.record
class ServerGroup:
    uuid: str
    name: str
    policy: str
    members: tuple
    rules: types.MappingProxyType
    project: object


@fields.record
class Migration:
    uuid: object
    server: str
    source: object
    destination: object
    status: str
    migration_type: object


def hypervisors(compute, providers):
    body, path = fields.body(compute, 'hypervisors', 'compute')
    result = []
    for hv, p in fields.items(body, 'hypervisors', path):
        fields.check(hv, dict, p)
        uuid = fields.get(hv, 'id', str, p)
        service = fields.get(hv, 'service', dict, p)
        host = fields.get(service, 'host', str, p + '.service')
        if uuid not in providers:
            raise fields.Problem(
                '%s: hypervisor %s of host %r is not in '
                'placement.resource_providers' % (p, uuid, host))
        result.append(Hypervisor(
            uuid=uuid, host=host,
            hostname=fields.get(hv, 'hypervisor_hostname', str, p)))
    return tuple(result)


def servers(compute):
    body, path = fields.body(compute, 'servers', 'compute')
    get, optional = fields.get, fields.optional
    result = []
    for s, p in fields.items(body, 'servers', path):
        if type(s) is not dict:
            fields.check(s, dict, p)
        result.append(Server(
            uuid=get(s, 'id', str, p),
            name=optional(s, 'name', str, p),
            status=get(s, 'status', str, p),
            task_state=get(s, 'OS-EXT-STS:task_state', str, p, True),
            vm_state=optional(s, 'OS-EXT-STS:vm_state', str, p),
            host=get(s, 'OS-EXT-SRV-ATTR:host', str, p, True),
            node=optional(s, 'OS-EXT-SRV-ATTR:hypervisor_hostname', str, p),
            project=get(s, 'tenant_id', str, p),
            user=optional(s, 'user_id', str, p),
            flavor=_ro(_flavor(s, p)),
            metadata=_ro(get(s, 'metadata', dict, p))))
    return tuple(result)


def _flavor(server, path):
    """The embedded flavor (microversion 2.47), or {} if Nova lost it."""
    flavor = fields.get(server, 'flavor', dict, path)
    if flavor and 'original_name' not in flavor:
        # Below 2.47 the flavor is a link: [planner] exclude_flavors
        # would silently match nothing.
        raise fields.Problem('%s.flavor: no original_name; take the '
                             'snapshot at compute microversion 2.47 or '
                             'later' % path)
    if flavor:
        fields.get(flavor, 'original_name', str, path + '.flavor')
    return flavor


def services(compute):
    body, path = fields.body(compute, 'services', 'compute')
    result = {}
    for svc, p in fields.items(body, 'services', path):
        fields.check(svc, dict, p)
        if svc.get('binary', 'nova-compute') != 'nova-compute':
            continue
        status = fields.get(svc, 'status', str, p)
        state = fields.get(svc, 'state', str, p)
        if status not in ('enabled', 'disabled') or state not in ('up',
                                                                  'down'):
            raise fields.Problem(
                '%s: status/state must be enabled|disabled and up|down, '
                'not %r/%r' % (p, status, state))
        host = fields.get(svc, 'host', str, p)
        result[host] = Service(
            host=host, zone=fields.optional(svc, 'zone', str, p),
            enabled=status == 'enabled', up=state == 'up',
            disabled_reason=svc.get('disabled_reason'))
    return result


def aggregates(compute):
    body, path = fields.body(compute, 'aggregates', 'compute')
    result = []
    for agg, p in fields.items(body, 'aggregates', path):
        fields.check(agg, dict, p)
        metadata = fields.optional(agg, 'metadata', dict, p) or {}
        result.append(Aggregate(
            uuid=fields.optional(agg, 'uuid', str, p),
            name=fields.get(agg, 'name', str, p),
            availability_zone=(
                fields.optional(agg, 'availability_zone', str, p)
                or metadata.get('availability_zone')),
            hosts=tuple(fields.optional(agg, 'hosts', list, p) or ()),
            metadata=_ro(metadata)))
    return tuple(result)


_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
             'soft-anti-affinity')


def server_groups(compute):
    body, path = fields.body(compute, 'server_groups', 'compute')
    result = []
    for group, p in fields.items(body, 'server_groups', path):
        fields.check(group, dict, p)
        policy = fields.get(group, 'policy', str, p)
        if policy not in _POLICIES:
            raise fields.Problem('%s: unknown policy %r (microversion 2.64 '
                                 'or later has one of %s)'
                                 % (p, policy, ', '.join(_POLICIES)))
        result.append(ServerGroup(
            uuid=fields.get(group, 'id', str, p),
            name=fields.optional(group, 'name', str, p),
            policy=policy,
            members=tuple(fields.get(group, 'members', list, p)),
            rules=_ro(fields.optional(group, 'rules', dict, p) or {}),
            project=fields.optional(group, 'project_id', str, p)))
    return tuple(result)


def migrations(compute):
    """In-flight migrations from the optional ``compute.migrations``."""
    return _migrations(
        compute, lambda status: status not in FINISHED_MIGRATION_STATUSES)


def failed_migrations(compute):
    """Migrations that ended in error; they may have left allocations."""
    return _migrations(
        compute, lambda status: status in FAILED_MIGRATION_STATUSES)


def ended_migrations(compute):
    """Migrations in any final status: each one's Placement consumer
    should be gone, so one still holding allocations is a leftover."""
    return _migrations(
        compute, lambda status: status in FINISHED_MIGRATION_STATUSES)


def _migrations(compute, wanted):
    if 'migrations' not in compute:
        return ()
    body, path = fields.body(compute, 'migrations', 'compute')
    result = []
    for mig, p in fields.items(body, 'migrations', path):
        fields.check(mig, dict, p)
        status = fields.get(mig, 'status', str, p)
        if not wanted(status):
            continue
        result.append(Migration(
            uuid=fields.optional(mig, 'uuid', str, p),
            server=fields.get(mig, 'instance_uuid', str, p),
            source=fields.optional(mig, 'source_compute', str, p),
            destination=fields.optional(mig, 'dest_compute', str, p),
            status=status,
            migration_type=fields.optional(mig, 'migration_type', str, p)))
    return tuple(result)
