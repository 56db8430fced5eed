"""Seeded synthetic clouds, written as ``nova-lb-snapshot/1`` documents.

Tests, benchmarks and demos need clouds that look like real ones without a
real one at hand: hosts of several generations with different allocation
ratios and reserved amounts, a flavor mix where small flavors are common,
load skewed onto hot hosts, two availability zones, server groups, disabled
and down hosts, servers that are not ACTIVE, one live migration in flight
and one server its owner opted out of rebalancing. The same seed always
gives the same document, byte for byte once serialised.

Every document is what the real APIs would return for such a cloud, and no
host starts over its capacity.
"""

import collections
import uuid as uuidlib

import numpy as np

from nova_lb.model import snapshot as snapshot_mod

#: name, vCPUs, RAM MB, disk GB, VCPU/RAM/disk allocation ratios,
#: reserved vCPU/RAM MB/disk GB, share of the fleet.
HostGeneration = collections.namedtuple(
    'HostGeneration', 'name vcpus ram disk ratios reserved share')

GENERATIONS = (
    HostGeneration('g1', 32, 131072, 900, (4.0, 1.0, 1.0), (0, 4096, 50), .3),
    HostGeneration('g2', 48, 262144, 1800, (8.0, 1.0, 1.0), (2, 8192, 100),
                   .35),
    HostGeneration('g3', 64, 393216, 3600, (4.0, 1.5, 1.0), (4, 16384, 100),
                   .25),
    HostGeneration('g4', 128, 786432, 7200, (2.0, 1.0, 1.0), (4, 16384, 200),
                   .1),
)

#: name, vCPUs, RAM MB, disk GB, share: small general flavors are common,
#: memory-heavy (r1) and cpu-heavy (c1) ones less so.
Flavor = collections.namedtuple('Flavor', 'name vcpus ram disk share')

FLAVORS = (
    Flavor('m1.tiny', 1, 512, 1, .10),
    Flavor('m1.small', 1, 2048, 20, .25),
    Flavor('m1.medium', 2, 4096, 40, .22),
    Flavor('m1.large', 4, 8192, 80, .12),
    Flavor('m1.xlarge', 8, 16384, 160, .04),
    Flavor('r1.large', 2, 16384, 40, .08),
    Flavor('r1.xlarge', 4, 32768, 80, .05),
    Flavor('r1.2xlarge', 8, 65536, 160, .02),
    Flavor('c1.large', 4, 4096, 40, .07),
    Flavor('c1.xlarge', 8, 8192, 80, .04),
    Flavor('c1.2xlarge', 16, 16384, 160, .01),
)

CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
ZONES = ('az1', 'az2')
#: Hosts are filled to at most this share of their capacity.
FILL = 0.97
TAKEN_AT = '2026-11-27T10:00:00Z'


def generate(hosts, servers, seed=0, projects=50):
    """A snapshot dict of ``hosts`` compute hosts running ``servers``.

    :raises ValueError: if the servers do not fit on the hosts.
    """
    if hosts < 3:
        raise ValueError('a scenario needs at least 3 hosts, not %d' % hosts)
    if servers < 50:
        raise ValueError('a scenario needs at least 50 servers, not %d'
                         % servers)
    rng = np.random.default_rng(seed)
    fleet = _Fleet(rng, hosts)
    placement = _Placement(rng, fleet, servers)
    return _Cloud(rng, fleet, placement, projects).document()


def _uuids(rng, n):
    raw = rng.bytes(16 * n)
    return [str(uuidlib.UUID(bytes=raw[16 * i:16 * i + 16], version=4))
            for i in range(n)]


class _Fleet(object):
    """Hosts: names, generations, capacity, zones, service states."""

    def __init__(self, rng, n):
        self.n = n
        self.names = ['cmp%05d' % i for i in range(n)]
        shares = np.array([g.share for g in GENERATIONS])
        self.gen = rng.choice(len(GENERATIONS), size=n,
                              p=shares / shares.sum())
        sizes = np.array([(g.vcpus, g.ram, g.disk) for g in GENERATIONS],
                         float)
        ratios = np.array([g.ratios for g in GENERATIONS])
        reserved = np.array([g.reserved for g in GENERATIONS], float)
        self.total, self.ratio = sizes[self.gen], ratios[self.gen]
        self.reserved = reserved[self.gen]
        self.capacity = np.trunc((self.total - self.reserved) * self.ratio)
        self.zone = [ZONES[i * len(ZONES) // n] for i in range(n)]
        self.rp = _uuids(rng, n)
        self.service_id = _uuids(rng, n)
        # About 1 % disabled for maintenance, one host down.
        self.enabled = rng.random(n) >= 0.01
        self.enabled[1] = False
        self.up = np.ones(n, bool)
        self.up[n - 1] = False
        self.enabled[n - 1] = True


class _Placement(object):
    """Which flavor each server has and which host it runs on."""

    def __init__(self, rng, fleet, n):
        shares = np.array([f.share for f in FLAVORS])
        self.flavor = rng.choice(len(FLAVORS), size=n,
                                 p=shares / shares.sum()).tolist()
        self.sizes = [(f.vcpus, f.ram, f.disk) for f in FLAVORS]
        # Hot and cold hosts: a skewed preference, so that the hottest fill
        # up to FILL and the coldest stay nearly empty.
        hot = rng.lognormal(0.0, 1.2, fleet.n)
        hot[~(fleet.enabled & fleet.up)] *= 0.5
        tries = rng.choice(fleet.n, size=(n, 8), p=hot / hot.sum()).tolist()
        spare = rng.integers(fleet.n, size=(n, 8)).tolist()
        self.free = (fleet.capacity * FILL).tolist()
        self.host = [self._first_fit(s, tries[s] + spare[s])
                     for s in range(n)]

    def fits(self, s, h):
        v, r, d = self.sizes[self.flavor[s]]
        free = self.free[h]
        return free[0] >= v and free[1] >= r and free[2] >= d

    def charge(self, s, h):
        free, size = self.free[h], self.sizes[self.flavor[s]]
        for i in range(3):
            free[i] -= size[i]

    def _first_fit(self, s, candidates):
        for h in candidates:
            if self.fits(s, h):
                self.charge(s, h)
                return h
        for h in range(len(self.free)):
            if self.fits(s, h):
                self.charge(s, h)
                return h
        raise ValueError('%d servers do not fit on %d hosts; use more hosts'
                         % (len(self.flavor), len(self.free)))


class _Cloud(object):
    """Servers' states, groups and the migration; then the API bodies."""

    def __init__(self, rng, fleet, placement, projects):
        self.fleet, self.placement = fleet, placement
        n = len(placement.host)
        self.ids = _uuids(rng, n)
        self.projects = [u.replace('-', '') for u in _uuids(rng, projects)]
        self.project = rng.integers(projects, size=n).tolist()
        self.status = ['ACTIVE'] * n
        self.opt_out = None
        self.migration = None
        order = rng.permutation(n).tolist()
        stopped, failed = max(1, n * 3 // 100), max(1, n // 200)
        for s in order[:stopped]:
            self.status[s] = 'SHUTOFF'
        for s in order[stopped:stopped + failed]:
            self.status[s] = 'ERROR'
        usable = fleet.enabled & fleet.up
        pool = [s for s in order[stopped + failed:]
                if usable[placement.host[s]]]
        self.opt_out = pool.pop() if pool else None
        self._migrate(pool, rng)
        self.groups = _Groups(rng, placement.host, pool).groups
        for group in self.groups:
            # A group and its members belong to one project.
            project = self.projects[self.project[group['members'][0]]]
            for s in group['members']:
                self.project[s] = self.project[group['members'][0]]
            group.update(project_id=project, user_id='u' + project[1:],
                         members=[self.ids[s] for s in group['members']])

    def _migrate(self, pool, rng):
        """Live-migrate a server of ``pool`` to a host of its zone with room.

        Tries the last servers of the (shuffled) pool until one fits
        somewhere; a cloud too small or too full has no migration.
        """
        fleet, placement = self.fleet, self.placement
        for i in range(len(pool) - 1, max(len(pool) - 50, 0) - 1, -1):
            s, source = pool[i], placement.host[pool[i]]
            for h in rng.permutation(fleet.n).tolist():
                if (h != source and fleet.enabled[h] and fleet.up[h]
                        and fleet.zone[h] == fleet.zone[source]
                        and placement.fits(s, h)):
                    placement.charge(s, h)
                    self.status[s] = 'MIGRATING'
                    self.migration = (s, source, h, _uuids(rng, 1)[0])
                    del pool[i]
                    return

    def document(self):
        fleet = self.fleet
        aggregates = [('az%d' % (i + 1), zone, [
            fleet.names[h] for h in range(fleet.n) if fleet.zone[h] == zone])
            for i, zone in enumerate(ZONES)]
        aggregates.append(('g4-hosts', None, [
            fleet.names[h] for h in range(fleet.n)
            if GENERATIONS[fleet.gen[h]].name == 'g4']))
        return {
            'format': snapshot_mod.FORMAT,
            'taken_at': TAKEN_AT,
            'placement': self._placement(aggregates),
            'compute': {
                'servers': {'servers': self._servers()},
                'services': {'services': self._services()},
                'hypervisors': {'hypervisors': self._hypervisors()},
                'aggregates': {'aggregates': [
                    _aggregate(i + 1, *agg)
                    for i, agg in enumerate(aggregates)]},
                'server_groups': {'server_groups': self.groups},
                'migrations': {'migrations': self._migrations()},
            },
        }

    def _allocations(self):
        """Per host: consumer -> resources, the migration's included."""
        result = [{} for _ in range(self.fleet.n)]
        sizes, flavor = self.placement.sizes, self.placement.flavor
        for s, h in enumerate(self.placement.host):
            result[h][self.ids[s]] = _resources(sizes[flavor[s]])
        if self.migration:
            # Nova moves the instance's allocation to the destination and
            # holds the source's under the migration's UUID.
            s, source, dest, mig = self.migration
            result[source][mig] = result[source].pop(self.ids[s])
            result[dest][self.ids[s]] = _resources(sizes[flavor[s]])
        return result

    def _placement(self, aggregates):
        fleet = self.fleet
        agg_uuids = {h: [] for h in fleet.names}
        for name, _zone, hosts in aggregates:
            for host in hosts:
                agg_uuids[host].append(_aggregate_uuid(name))
        allocations = self._allocations()
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

    def _servers(self):
        fleet, placement = self.fleet, self.placement
        moving = self.migration[0] if self.migration else None
        states = {'ACTIVE': ('active', 1), 'SHUTOFF': ('stopped', 4),
                  'ERROR': ('error', 0), 'MIGRATING': ('active', 1)}
        result = []
        for s, h in enumerate(placement.host):
            f = FLAVORS[placement.flavor[s]]
            vm_state, power = states[self.status[s]]
            host = fleet.names[h]
            result.append({
                'id': self.ids[s], 'name': 'vm-%06d' % s,
                'status': self.status[s],
                'tenant_id': self.projects[self.project[s]],
                'user_id': 'u' + self.projects[self.project[s]][1:],
                'metadata': ({'nova_lb:movable': 'false'}
                             if s == self.opt_out else {}),
                'flavor': {'vcpus': f.vcpus, 'ram': f.ram, 'disk': f.disk,
                           'ephemeral': 0, 'swap': 0, 'original_name': f.name,
                           'extra_specs': {}},
                'created': TAKEN_AT, 'locked': False,
                'OS-EXT-AZ:availability_zone': fleet.zone[h],
                'OS-EXT-SRV-ATTR:host': host,
                'OS-EXT-SRV-ATTR:hypervisor_hostname': _node(host),
                'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % (s + 1),
                'OS-EXT-STS:task_state': 'migrating' if s == moving else None,
                'OS-EXT-STS:vm_state': vm_state,
                'OS-EXT-STS:power_state': power,
            })
        return result

    def _services(self):
        fleet = self.fleet
        return [{
            'id': fleet.service_id[h], 'binary': 'nova-compute',
            'host': fleet.names[h], 'zone': fleet.zone[h],
            'status': 'enabled' if fleet.enabled[h] else 'disabled',
            'state': 'up' if fleet.up[h] else 'down',
            'disabled_reason': None if fleet.enabled[h] else 'maintenance',
            'updated_at': TAKEN_AT if fleet.up[h] else '2026-11-27T08:00:00Z',
            'forced_down': False,
        } for h in range(fleet.n)]

    def _hypervisors(self):
        fleet = self.fleet
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

    def _migrations(self):
        if not self.migration:
            return []
        s, source, dest, mig = self.migration
        names, f = self.fleet.names, self.placement.flavor[s] + 1
        return [{
            'id': 1, 'uuid': mig, 'instance_uuid': self.ids[s],
            'source_compute': names[source], 'dest_compute': names[dest],
            'source_node': _node(names[source]),
            'dest_node': _node(names[dest]),
            'dest_host': None, 'status': 'running',
            'migration_type': 'live-migration',
            'old_instance_type_id': f, 'new_instance_type_id': f,
            'created_at': TAKEN_AT, 'updated_at': TAKEN_AT,
        }]


class _Groups(object):
    """Disjoint server groups drawn from ``pool`` (servers that may move)."""

    def __init__(self, rng, host, pool):
        self.rng, self.host, self.pool = rng, host, pool
        self.groups = []
        n = len(host)
        for _ in range(max(1, n // 2000)):
            self._spread(int(rng.integers(3, 6)), 1)
        self._spread(5, 2)
        for _ in range(max(1, n // 5000)):
            self._together()
        self._add('soft-anti-affinity', self._take(4))
        self._add('soft-affinity', self._take(3))

    def _take(self, n):
        return [self.pool.pop() for _ in range(min(n, len(self.pool)))]

    def _spread(self, size, per_host):
        members, count, skipped = [], collections.Counter(), []
        while len(members) < size and self.pool:
            s = self.pool.pop()
            if count[self.host[s]] < per_host:
                members.append(s)
                count[self.host[s]] += 1
            else:
                skipped.append(s)
        self.pool.extend(reversed(skipped))
        self._add('anti-affinity', members,
                  {'max_server_per_host': per_host} if per_host > 1 else {})

    def _together(self):
        by_host = collections.defaultdict(list)
        for s in self.pool:
            by_host[self.host[s]].append(s)
        crowded = [servers for servers in by_host.values() if len(servers) > 1]
        if crowded:
            members = crowded[int(self.rng.integers(len(crowded)))][:3]
            taken = set(members)
            self.pool[:] = [s for s in self.pool if s not in taken]
            self._add('affinity', members)

    def _add(self, policy, members, rules=None):
        if not members:
            return
        self.groups.append({
            'id': _uuids(self.rng, 1)[0],
            'name': '%s-%d' % (policy, len(self.groups)),
            'policy': policy, 'rules': rules or {}, 'members': members,
            'project_id': None, 'user_id': None})


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
