"""What must hold after every e2e and fault case, read from the APIs.

* every server ACTIVE with no task in progress;
* each provider's Placement usage equals the sum of its allocations, and
  those are exactly the flavors of the servers Nova says the host has;
* no host over capacity;

except for leftovers: consumers that break the second rule. They are
computed here independently of nova-lb, and a test compares them with the
leftovers nova-lb reports.
"""

import collections

from tests.e2e import cloud

RESOURCES = {'VCPU': 'vcpus', 'MEMORY_MB': 'ram', 'DISK_GB': 'disk'}


class Violation(AssertionError):
    pass


def _capacity(inventories):
    return {rc: (inv['total'] - inv['reserved']) * inv['allocation_ratio']
            for rc, inv in inventories.items()}


def read(conn):
    """``(servers, {host: {usage, capacity, allocations}})``."""
    servers = cloud.servers(conn)
    state = {}
    for host, rp in cloud.hosts(conn).items():
        base = '/resource_providers/%s/' % rp
        state[host] = {
            'usage': {rc: v for rc, v in cloud.placement(
                conn, base + 'usages')['usages'].items() if v},
            'capacity': _capacity(cloud.placement(
                conn, base + 'inventories')['inventories']),
            'allocations': {c: a['resources'] for c, a in cloud.placement(
                conn, base + 'allocations')['allocations'].items()}}
    return servers, state


def utilisation(state):
    """{host: max over classes of usage / capacity}."""
    return {host: max(h['usage'].get(rc, 0) / cap
                      for rc, cap in h['capacity'].items())
            for host, h in state.items()}


def leftovers(servers, state, migrations):
    """{server uuid: migration uuid or None} for every consumer whose
    allocations are not its server's flavor on the server's host."""
    by_id = {s['id']: s for s in servers}
    mig_server = {m['uuid']: m['instance_uuid'] for m in migrations}
    found = {}
    for host, h in state.items():
        for consumer, resources in h['allocations'].items():
            if consumer in mig_server:
                found[mig_server[consumer]] = consumer
            elif (consumer not in by_id or
                  by_id[consumer]['OS-EXT-SRV-ATTR:host'] != host or
                  resources != _flavor(by_id[consumer])):
                found.setdefault(consumer, None)
    return found


def _flavor(server):
    return {rc: server['flavor'][key] for rc, key in RESOURCES.items()}


def check(conn, allowed=()):
    """Raise Violation unless the invariants hold; servers in ``allowed``
    (leftovers already reported) are exempt from the status and the
    allocation rules.
    Returns ``(servers, state)``."""
    servers, state = read(conn)
    problems = []
    for s in servers:
        if s['id'] in allowed:
            continue
        if s['status'] != 'ACTIVE' or s['OS-EXT-STS:task_state']:
            problems.append('server %s is %s (task %s)' % (
                s['id'], s['status'], s['OS-EXT-STS:task_state']))
    expected = collections.defaultdict(dict)
    for s in servers:
        if s['id'] not in allowed:
            expected[s['OS-EXT-SRV-ATTR:host']][s['id']] = _flavor(s)
    mig_of = {m['uuid']: m['instance_uuid']
              for m in cloud.migrations(conn)}
    for host, h in sorted(state.items()):
        summed = collections.Counter()
        for resources in h['allocations'].values():
            summed.update(resources)
        if dict(summed) != h['usage']:
            problems.append('%s: usage %s != sum of allocations %s' % (
                host, h['usage'], dict(summed)))
        mine = {c: r for c, r in h['allocations'].items()
                if c not in allowed and mig_of.get(c) not in allowed}
        if mine != expected[host]:
            problems.append('%s: allocations %s != flavors of its servers '
                            '%s' % (host, mine, dict(expected[host])))
        over = {rc: v for rc, v in h['usage'].items()
                if v > h['capacity'].get(rc, 0)}
        if over:
            problems.append('%s: over capacity: %s' % (host, over))
    if problems:
        raise Violation('; '.join(problems))
    return servers, state
