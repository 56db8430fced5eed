"""Snapshots (``nova-lb-snapshot/1``): load, check and index the raw bodies.

A snapshot holds the unmodified bodies of the Nova and Placement API calls
(see the format's contract), so it can be compared with a live cloud. This
module checks that a snapshot is complete and consistent *before* anything
plans with it, because a plan made from a half-collected cloud could move
servers onto hosts that are in fact full. The first problem found is
reported in one line naming the file and the JSON path.

:mod:`placement_bodies` and :mod:`compute_bodies` read one kind of body
each; this module ties them together and checks that they agree: every
hypervisor has a provider, every server's host has a hypervisor.

The parsed form is plain frozen records and read-only mappings, so that the
model builder, the checker and the tests all see the same facts and none of
them can change them.
"""

import math
import os
import types

from nova_lb import contract
from nova_lb import exception
from nova_lb import jsonfile
from nova_lb.model import compute_bodies
from nova_lb.model import fields
from nova_lb.model import placement_bodies

#: The largest snapshot file read: a cloud of 100,000 servers takes about
#: a quarter of it.
MAX_BYTES = 1 << 30

_ro = types.MappingProxyType


@fields.record
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
    #: migrations that ended in ``error``/``failed`` (they may have left
    #: allocations behind: see :mod:`nova_lb.model.leftovers`)
    failed_migrations: tuple
    #: migrations in any final status, failed ones included
    ended_migrations: tuple
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
            # nan and inf are no limit an admin meant.
            if math.isfinite(value) and value > 0:
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
        document = jsonfile.read(path, MAX_BYTES)
    except OSError as e:
        raise exception.BadSnapshot('%s: cannot read: %s'
                                    % (path, e.strerror or e))
    except jsonfile.Unreadable as e:
        raise exception.BadSnapshot('%s: %s' % (name, e))
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
    if fmt != contract.SNAPSHOT_FORMAT:
        raise fields.Problem('unknown format %r, expected %r'
                             % (fmt, contract.SNAPSHOT_FORMAT))
    placement = fields.get(doc, 'placement', dict, '(top level)')
    compute = fields.get(doc, 'compute', dict, '(top level)')
    providers = placement_bodies.providers(placement)
    hypervisors = compute_bodies.hypervisors(compute, providers)
    servers = compute_bodies.servers(compute)
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
    services = compute_bodies.services(compute)
    if not services:
        raise fields.Problem('compute.services.services: no nova-compute '
                             'service, so no host to balance')
    metrics = fields.optional(doc, 'metrics', dict, '(top level)') or {}
    return Snapshot(
        source=source,
        taken_at=doc.get('taken_at'),
        providers=_ro(providers),
        servers=servers,
        server_index=_ro(server_index),
        services=_ro(services),
        hypervisors=hypervisors,
        host_providers=_ro(host_providers),
        aggregates=compute_bodies.aggregates(compute),
        server_groups=compute_bodies.server_groups(compute),
        migrations=compute_bodies.migrations(compute),
        failed_migrations=compute_bodies.failed_migrations(compute),
        ended_migrations=compute_bodies.ended_migrations(compute),
        metrics=_ro(metrics))


def _host_providers(hypervisors, providers):
    """Each host's providers: every tree rooted at one of its hypervisors."""
    trees = {}
    for uuid, provider in providers.items():
        trees.setdefault(provider.root, []).append(uuid)
    result = {}
    for hv in hypervisors:
        result.setdefault(hv.host, []).extend(trees.get(hv.uuid, ()))
    return {host: tuple(uuids) for host, uuids in result.items()}
