"""Snapshots (``nova-lb-snapshot/1``): load, check and index the raw bodies.

A snapshot holds the unmodified bodies of the Nova and Placement API calls
(see the format's contract), so it can be compared with a live cloud. This
module checks that a snapshot is complete and consistent *before* anything
plans with it, because a plan made from a half-collected cloud could move
servers onto hosts that are in fact full. The first problem found is
reported in one line naming the file and the JSON path.

The parsed form is plain frozen records and read-only mappings, so that the
model builder, the checker and the tests all see the same facts and none of
them can change them.
"""

import dataclasses
import json
import os
import types

from nova_lb import exception
from nova_lb.model import fields

FORMAT = 'nova-lb-snapshot/1'

#: Nova migration statuses after which a migration holds no resources.
FINISHED_MIGRATION_STATUSES = frozenset((
    'completed', 'confirmed', 'reverted', 'error', 'failed', 'cancelled',
    'done'))

_ro = types.MappingProxyType


def _record(cls):
    return dataclasses.dataclass(frozen=True, slots=True)(cls)


@_record
class Inventory:
    total: float
    reserved: float
    allocation_ratio: float
    min_unit: float = 1
    max_unit: float = 0
    step_size: float = 1


@_record
class Provider:
    uuid: str
    name: str
    root: str
    parent: object
    #: resource class -> Inventory
    inventories: types.MappingProxyType
    #: consumer uuid -> {resource class: amount}
    allocations: types.MappingProxyType
    aggregates: tuple
    traits: tuple


@_record
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


@_record
class Service:
    host: str
    zone: object
    enabled: bool
    up: bool
    disabled_reason: object


@_record
class Hypervisor:
    uuid: str
    hostname: str
    host: str


@_record
class Aggregate:
    uuid: object
    name: str
    availability_zone: object
    hosts: tuple
    metadata: types.MappingProxyType


@_record
class ServerGroup:
    uuid: str
    name: str
    policy: str
    members: tuple
    rules: types.MappingProxyType
    project: object


@_record
class Migration:
    uuid: object
    server: str
    source: object
    destination: object
    status: str
    migration_type: object


@_record
class Snapshot:
    """A checked snapshot. ``source`` names it in messages."""

    source: str
    taken_at: object
    #: provider uuid -> Provider
    providers: types.MappingProxyType
    servers: tuple
    #: server uuid -> index in ``servers``
    server_index: types.MappingProxyType
    #: compute host -> Service (nova-compute only)
    services: types.MappingProxyType
    hypervisors: tuple
    #: compute host -> uuids of every provider in its hypervisors' trees
    host_providers: types.MappingProxyType
    aggregates: tuple
    server_groups: tuple
    #: migrations that still hold resources (not in a final status)
    migrations: tuple
    #: server uuid -> {metric: value}; empty when not measured
    metrics: types.MappingProxyType

    def aggregate_minimum(self, key):
        """compute host -> lowest number under metadata ``key`` of its
        aggregates, for the hosts that have one.

        As the scheduler reads per-aggregate overrides (Nova's
        ``validate_num_values``): a host whose values of ``key`` are not
        all numbers > 0 keeps its default, so it is left out.
        """
        found = {}
        for agg in self.aggregates:
            if key in agg.metadata:
                for host in agg.hosts:
                    found.setdefault(host, []).append(agg.metadata[key])
        result = {}
        for host, values in found.items():
            try:
                value = min(float(v) for v in values)
            except (TypeError, ValueError):
                continue
            if value > 0:
                result[host] = value
        return result

    def host_zones(self):
        """compute host -> its availability zone (None: the default zone).

        Nova puts a host in the zone of the aggregate that names one; a
        host in no such aggregate is in the default zone.
        """
        zones = {}
        for agg in self.aggregates:
            if agg.availability_zone:
                for host in agg.hosts:
                    zones[host] = agg.availability_zone
        return {host: zones.get(host) for host in self.services}


def load(path):
    """Read and check the snapshot file at ``path``.

    :raises nova_lb.exception.BadSnapshot: for an unreadable file, bad JSON
        or any problem :func:`parse` finds.
    """
    name = os.path.basename(path) or path
    try:
        with open(path, 'rb') as f:
            document = json.load(f)
    except OSError as e:
        raise exception.BadSnapshot('%s: cannot read: %s'
                                    % (path, e.strerror or e))
    except ValueError as e:
        raise exception.BadSnapshot('%s: not JSON: %s' % (name, e))
    return parse(document, name)


def parse(document, source='<snapshot>'):
    """Check a loaded snapshot document and index it; see :class:`Snapshot`.

    :raises nova_lb.exception.BadSnapshot: naming ``source`` and the JSON
        path of the first problem.
    """
    try:
        return _parse(document, source)
    except fields.Problem as e:
        raise exception.BadSnapshot('%s: %s' % (source, e))


def _parse(doc, source):
    fields.check(doc, dict, '(top level)')
    fmt = doc.get('format')
    if fmt != FORMAT:
        raise fields.Problem('unknown format %r, expected %r' % (fmt, FORMAT))
    placement = fields.get(doc, 'placement', dict, '(top level)')
    compute = fields.get(doc, 'compute', dict, '(top level)')
    providers = _providers(placement)
    hypervisors = _hypervisors(compute, providers)
    servers = _servers(compute)
    host_providers = _host_providers(hypervisors, providers)
    server_index = {}
    for i, server in enumerate(servers):
        if server.uuid in server_index:
            # Paging over a changing list can return a server twice.
            raise fields.Problem(
                'compute.servers.servers[%d]: server %s is also at [%d]'
                % (i, server.uuid, server_index[server.uuid]))
        server_index[server.uuid] = i
        if server.host is not None and server.host not in host_providers:
            raise fields.Problem(
                'compute.servers.servers[%d]: server %s is on host %r, which '
                'has no hypervisor in compute.hypervisors'
                % (i, server.uuid, server.host))
    metrics = fields.optional(doc, 'metrics', dict, '(top level)') or {}
    return Snapshot(
        source=source,
        taken_at=doc.get('taken_at'),
        providers=_ro(providers),
        servers=servers,
        server_index=_ro(server_index),
        services=_ro(_services(compute)),
        hypervisors=hypervisors,
        host_providers=_ro(host_providers),
        aggregates=_aggregates(compute),
        server_groups=_server_groups(compute),
        migrations=_migrations(compute),
        metrics=_ro(metrics))


def _body(parent, key, path):
    return fields.get(parent, key, dict, path), '%s.%s' % (path, key)


def _providers(placement):
    body, path = _body(placement, 'resource_providers', 'placement')
    listed = {}
    for rp, p in fields.items(body, 'resource_providers', path):
        fields.check(rp, dict, p)
        uuid = fields.get(rp, 'uuid', str, p)
        listed[uuid] = (fields.get(rp, 'name', str, p),
                        fields.get(rp, 'root_provider_uuid', str, p),
                        fields.get(rp, 'parent_provider_uuid', str, p, True))
    details = fields.get(placement, 'providers', dict, 'placement')
    for uuid in details:
        if uuid not in listed:
            raise fields.Problem(
                'placement.providers.%s: provider not in '
                'placement.resource_providers' % uuid)
    providers = {}
    for uuid, (name, root, parent) in listed.items():
        path = 'placement.providers.%s' % uuid
        if uuid not in details:
            raise fields.Problem('placement.providers: no entry for provider '
                                 '%s (%s)' % (uuid, name))
        detail = fields.check(details[uuid], dict, path)
        inventories = _inventories(*_body(detail, 'inventories', path))
        providers[uuid] = Provider(
            uuid=uuid, name=name, root=root, parent=parent,
            inventories=_ro(inventories),
            allocations=_ro(_allocations(
                *_body(detail, 'allocations', path), inventories)),
            aggregates=_list_of(detail, 'aggregates', path),
            traits=_list_of(detail, 'traits', path))
    for uuid, provider in providers.items():
        if provider.root not in providers:
            raise fields.Problem(
                'placement.resource_providers: provider %s has root %s, '
                'which is not listed' % (uuid, provider.root))
    return providers


def _list_of(detail, key, path):
    body, path = _body(detail, key, path)
    return tuple(fields.get(body, key, list, path))


def _inventories(body, path):
    result = {}
    for rc, inv in fields.get(body, 'inventories', dict, path).items():
        p = '%s.inventories.%s' % (path, rc)
        fields.check(inv, dict, p)
        result[rc] = Inventory(
            total=fields.get(inv, 'total', 'number', p),
            reserved=fields.optional(inv, 'reserved', 'number', p, 0),
            allocation_ratio=fields.optional(
                inv, 'allocation_ratio', 'number', p, 1.0),
            min_unit=fields.optional(inv, 'min_unit', 'number', p, 1),
            max_unit=fields.optional(inv, 'max_unit', 'number', p, 0),
            step_size=fields.optional(inv, 'step_size', 'number', p, 1))
    return result


def _allocations(body, path, inventories):
    result = {}
    number = (int, float)
    for consumer, alloc in fields.get(body, 'allocations', dict,
                                      path).items():
        p = '%s.allocations.%s' % (path, consumer)
        resources = fields.get(fields.check(alloc, dict, p), 'resources',
                               dict, p)
        for rc, amount in resources.items():
            if type(amount) not in number:
                fields.check(amount, 'number', '%s.resources.%s' % (p, rc))
            if rc not in inventories:
                raise fields.Problem(
                    '%s: uses %s but the provider has no %s inventory'
                    % (p, rc, rc))
        result[consumer] = _ro(resources)
    return result


def _hypervisors(compute, providers):
    body, path = _body(compute, 'hypervisors', 'compute')
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


def _host_providers(hypervisors, providers):
    """Each host's providers: every tree rooted at one of its hypervisors."""
    trees = {}
    for uuid, provider in providers.items():
        trees.setdefault(provider.root, []).append(uuid)
    result = {}
    for hv in hypervisors:
        result.setdefault(hv.host, []).extend(trees.get(hv.uuid, ()))
    return {host: tuple(uuids) for host, uuids in result.items()}


def _servers(compute):
    body, path = _body(compute, 'servers', 'compute')
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
            flavor=_ro(get(s, 'flavor', dict, p)),
            metadata=_ro(get(s, 'metadata', dict, p))))
    return tuple(result)


def _services(compute):
    body, path = _body(compute, 'services', 'compute')
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


def _aggregates(compute):
    body, path = _body(compute, 'aggregates', 'compute')
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


def _server_groups(compute):
    body, path = _body(compute, 'server_groups', 'compute')
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


def _migrations(compute):
    """In-flight migrations from the optional ``compute.migrations``."""
    if 'migrations' not in compute:
        return ()
    body, path = _body(compute, 'migrations', 'compute')
    result = []
    for mig, p in fields.items(body, 'migrations', path):
        fields.check(mig, dict, p)
        status = fields.get(mig, 'status', str, p)
        if status in FINISHED_MIGRATION_STATUSES:
            continue
        result.append(Migration(
            uuid=fields.optional(mig, 'uuid', str, p),
            server=fields.get(mig, 'instance_uuid', str, p),
            source=fields.optional(mig, 'source_compute', str, p),
            destination=fields.optional(mig, 'dest_compute', str, p),
            status=status,
            migration_type=fields.optional(mig, 'migration_type', str, p)))
    return tuple(result)
