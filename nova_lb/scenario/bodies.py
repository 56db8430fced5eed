"""The synthetic cloud as the bodies the real APIs return.

Placement at microversion 1.39 and Nova at the microversions the collector
uses (servers 2.47, hypervisors and services 2.53, server groups 2.64,
migrations 2.80), with the keys those versions return.
"""

import uuid as uuidlib

from nova_lb import contract
from nova_lb.scenario import fleet as fleet_mod
from nova_lb.scenario import placing

CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
TAKEN_AT = '2026-11-27T10:00:00Z'


def document(cloud):
    """The snapshot document of a cloud's servers (a
    :class:`~nova_lb.scenario.cloud.ServerStates`)."""
    fleet = cloud.fleet
    aggregates = [('az%d' % (i + 1), zone, [
        fleet.names[h] for h in range(fleet.n) if fleet.zone[h] == zone])
        for i, zone in enumerate(fleet_mod.ZONES)]
    aggregates.append(('g4-hosts', None, [
        fleet.names[h] for h in range(fleet.n)
        if fleet.generations[fleet.gen[h]].name == 'g4']))
    return {
        'format': contract.SNAPSHOT_FORMAT,
        'taken_at': TAKEN_AT,
        'placement': _placement(cloud, aggregates),
        'compute': {
            'servers': {'servers': _servers(cloud)},
            'services': {'services': _services(cloud)},
            'hypervisors': {'hypervisors': _hypervisors(cloud)},
            'aggregates': {'aggregates': [
                _aggregate(i + 1, *agg)
                for i, agg in enumerate(aggregates)]},
            'server_groups': {'server_groups': cloud.groups},
            'migrations': {'migrations': _migrations(cloud)},
        },
    }


def _allocations(cloud):
    """Per host: consumer -> resources, the migrations' included."""
    result = [{} for _ in range(cloud.fleet.n)]
    sizes, flavor = cloud.placement.sizes, cloud.placement.flavor
    for s, h in enumerate(cloud.placement.host):
        result[h][cloud.ids[s]] = _resources(sizes[flavor[s]])
    for s, source, dest, mig in cloud.migrations:
        # Nova moves the instance's allocation to the destination and
        # holds the source's under the migration's UUID.
        result[source][mig] = result[source].pop(cloud.ids[s])
        result[dest][cloud.ids[s]] = _resources(sizes[flavor[s]])
    for s, mig in cloud.leaked:
        if mig is not None:
            host = cloud.placement.host[s]
            result[host][mig] = result[host].pop(cloud.ids[s])
    return result


def _placement(cloud, aggregates):
    fleet = cloud.fleet
    agg_uuids = {h: [] for h in fleet.names}
    for name, _zone, hosts in aggregates:
        for host in hosts:
            agg_uuids[host].append(_aggregate_uuid(name))
    allocations = _allocations(cloud)
    providers, details = [], {}
    for h, rp in enumerate(fleet.rp):
        providers.append({
            'uuid': rp, 'name': _node(fleet.names[h]), 'generation': 5,
            'parent_provider_uuid': None, 'root_provider_uuid': rp,
            'links': [{'rel': 'self',
                       'href': '/resource_providers/%s' % rp}]})
        details[rp] = {
            'inventories': {'resource_provider_generation': 5,
                            'inventories': _inventories(fleet, h)},
            'allocations': {'resource_provider_generation': 5,
                            'allocations': allocations[h]},
            'aggregates': {'resource_provider_generation': 5,
                           'aggregates': agg_uuids[fleet.names[h]]},
            'traits': {'resource_provider_generation': 5,
                       'traits': ['COMPUTE_NODE', 'HW_CPU_X86_AVX2',
                                  'COMPUTE_STATUS_DISABLED']
                       if not fleet.enabled[h] else
                       ['COMPUTE_NODE', 'HW_CPU_X86_AVX2']},
        }
    return {'resource_providers': {'resource_providers': providers},
            'providers': details}


def _servers(cloud):
    fleet, placement = cloud.fleet, cloud.placement
    moving = {m[0] for m in cloud.migrations}
    deleted = {s for s, _ in cloud.leaked}
    states = {'ACTIVE': ('active', 1), 'SHUTOFF': ('stopped', 4),
              'ERROR': ('error', 0), 'MIGRATING': ('active', 1)}
    result = []
    for s, h in enumerate(placement.host):
        if s in deleted:
            continue
        f = placement.flavors[placement.flavor[s]]
        vm_state, power = states[cloud.status[s]]
        host = fleet.names[h]
        result.append({
            'id': cloud.ids[s], 'name': 'vm-%06d' % s,
            'status': cloud.status[s],
            'tenant_id': cloud.projects[cloud.project[s]],
            'user_id': 'u' + cloud.projects[cloud.project[s]][1:],
            'metadata': ({contract.OPT_OUT_KEY: 'false'}
                         if s == cloud.opt_out else {}),
            'flavor': {'vcpus': f.vcpus, 'ram': f.ram, 'disk': f.disk,
                       'ephemeral': 0, 'swap': 0, 'original_name': f.name,
                       'extra_specs': {}},
            'created': TAKEN_AT, 'locked': False,
            'OS-EXT-AZ:availability_zone': fleet.zone[h],
            'OS-EXT-SRV-ATTR:host': host,
            'OS-EXT-SRV-ATTR:hypervisor_hostname': _node(host),
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % (s + 1),
            'OS-EXT-STS:task_state': 'migrating' if s in moving else None,
            'OS-EXT-STS:vm_state': vm_state,
            'OS-EXT-STS:power_state': power,
        })
    return result


def _services(cloud):
    fleet = cloud.fleet
    return [{
        'id': fleet.service_id[h], 'binary': 'nova-compute',
        'host': fleet.names[h], 'zone': fleet.zone[h],
        'status': 'enabled' if fleet.enabled[h] else 'disabled',
        'state': 'up' if fleet.up[h] else 'down',
        'disabled_reason': None if fleet.enabled[h] else 'maintenance',
        'updated_at': TAKEN_AT if fleet.up[h] else '2026-11-27T08:00:00Z',
        'forced_down': False,
    } for h in range(fleet.n)]


def _hypervisors(cloud):
    fleet = cloud.fleet
    return [{
        'id': fleet.rp[h], 'hypervisor_hostname': _node(fleet.names[h]),
        'state': 'up' if fleet.up[h] else 'down',
        'status': 'enabled' if fleet.enabled[h] else 'disabled',
        'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
        'host_ip': '10.%d.%d.%d' % (h >> 16, (h >> 8) & 255, h & 255),
        'service': {'host': fleet.names[h], 'id': fleet.service_id[h],
                    'disabled_reason': None if fleet.enabled[h]
                    else 'maintenance'},
        'uptime': None,
    } for h in range(fleet.n)]


def _migrations(cloud):
    """The migrations in flight, then the completed ones that leaked."""
    host = cloud.placement.host
    moves = [(s, source, dest, mig, 'running')
             for s, source, dest, mig in cloud.migrations]
    # A leaked migration went from its server's host to the next host of
    # its zone: live migration never leaves the zone.
    moves += [(s, host[s], _next_in_zone(cloud.fleet, host[s]), mig,
               'completed')
              for s, mig in cloud.leaked if mig is not None]
    return [_migration(cloud, i + 1, *move) for i, move in enumerate(moves)]


def _next_in_zone(fleet, h):
    """The next host after ``h`` (cyclically) in ``h``'s zone, or ``h``."""
    for step in range(1, fleet.n):
        other = (h + step) % fleet.n
        if fleet.zone[other] == fleet.zone[h]:
            return other
    return h


def _migration(cloud, number, s, source, dest, mig, status):
    names = cloud.fleet.names
    f = cloud.placement.flavor[s] + 1
    return {
        'id': number, 'uuid': mig, 'instance_uuid': cloud.ids[s],
        'source_compute': names[source], 'dest_compute': names[dest],
        'source_node': _node(names[source]),
        'dest_node': _node(names[dest]),
        'dest_host': None, 'status': status,
        'migration_type': 'live-migration',
        'old_instance_type_id': f, 'new_instance_type_id': f,
        'created_at': TAKEN_AT, 'updated_at': TAKEN_AT,
    }


def _node(host):
    return '%s.cloud.example' % host


def _resources(size):
    return {'resources': dict(zip(CLASSES, size)), 'consumer_generation': 1}


def _inventories(fleet, h):
    return {rc: {'total': int(fleet.total[h, i]),
                 'reserved': int(fleet.reserved[h, i]),
                 'min_unit': 1, 'max_unit': int(fleet.total[h, i]),
                 'step_size': 1, 'allocation_ratio': float(fleet.ratio[h, i])}
            for i, rc in enumerate(CLASSES)}


def _aggregate_uuid(name):
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL,
                             'nova-lb-scenario/' + name))


def _aggregate(index, name, zone, hosts):
    return {'id': index, 'uuid': _aggregate_uuid(name), 'name': name,
            'availability_zone': zone, 'hosts': hosts,
            'metadata': {'availability_zone': zone} if zone else {},
            'created_at': TAKEN_AT, 'updated_at': None, 'deleted': False,
            'deleted_at': None}
