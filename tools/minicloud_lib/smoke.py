"""End-to-end smoke test of a minicloud through openstacksdk.

Boots two servers one at a time (concurrent boots race on stale host
state, see the notes), checks both ACTIVE, live-migrates one without
naming or forcing a host, waits for the migration to complete and its
Placement allocation to go, and checks every provider's Placement usage
equals the sum of the allocations against it and the flavors of the
servers Nova says it hosts.
"""

import collections
import io
import time

import openstack

FLAVOR = {'name': 'minicloud.smoke', 'vcpus': 2, 'ram': 2048, 'disk': 10}
RESOURCES = {'VCPU': 'vcpus', 'MEMORY_MB': 'ram', 'DISK_GB': 'disk'}


class SmokeFailure(Exception):
    pass


def _check(cond, msg):
    if not cond:
        raise SmokeFailure(msg)


def _placement(conn, path, version='1.30'):
    resp = conn.placement.get(path, microversion=version)
    _check(resp.status_code == 200, 'GET %s: HTTP %s' % (path,
                                                       resp.status_code))
    return resp.json()


def _wait(what, predicate, timeout=120, interval=1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SmokeFailure('timed out after %ds waiting for %s' % (timeout, what))


def image_and_flavor(conn):
    image = conn.image.create_image(
        name='minicloud-smoke', disk_format='raw', container_format='bare',
        visibility='public', data=io.BytesIO(b'minicloud' * 128),
        allow_duplicates=True, validate_checksum=False)
    image = conn.image.wait_for_status(image, 'active', wait=60)
    flavor = conn.compute.find_flavor(FLAVOR['name'])
    if flavor is None:
        flavor = conn.compute.create_flavor(**FLAVOR)
    return image, flavor


def boot(conn, name, image, flavor):
    server = conn.compute.create_server(
        name=name, image_id=image.id, flavor_id=flavor.id, networks='none')
    server = conn.compute.wait_for_server(server, status='ACTIVE', wait=120)
    return conn.compute.get_server(server.id)


def check_placement(conn):
    """usage == sum of allocations == flavors of the servers on each RP,
    for every server Nova knows (leftovers of earlier runs included)."""
    servers = list(conn.compute.servers(all_projects=True))
    rps = {rp.name: rp.id for rp in conn.placement.resource_providers()}
    expected = collections.defaultdict(collections.Counter)
    for server in servers:
        flavor = server.flavor
        for rc, key in RESOURCES.items():
            expected[server.compute_host][rc] += flavor[key]
    for name, rp_id in rps.items():
        usages = _placement(conn, '/resource_providers/%s/usages' %
                            rp_id)['usages']
        allocs = _placement(conn, '/resource_providers/%s/allocations' %
                            rp_id)['allocations']
        summed = collections.Counter()
        for alloc in allocs.values():
            summed.update(alloc['resources'])
        used = collections.Counter({k: v for k, v in usages.items() if v})
        _check(used == summed, '%s: usage %s != sum of allocations %s' % (
            name, dict(used), dict(summed)))
        _check(summed == expected[name],
               '%s: allocations %s != flavors of its servers %s' % (
                   name, dict(summed), dict(expected[name])))
        _check(set(allocs) == {s.id for s in servers
                               if s.compute_host == name},
               '%s: consumers %s are not its servers' % (name, set(allocs)))


def check_placement_settles(conn, timeout=30):
    """check_placement, allowing Nova's asynchronous deletes to finish."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check_placement(conn)
        except SmokeFailure:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def live_migrate(conn, server):
    source = server.compute_host
    conn.compute.live_migrate_server(server, host=None, force=False)
    migration = _wait('the live migration to complete', lambda: next(
        (m for m in conn.compute.migrations(instance_uuid=server.id,
                                            migration_type='live-migration')
         if m.status in ('completed', 'error', 'failed', 'cancelled')),
        None), timeout=180)
    _check(migration.status == 'completed',
           'migration ended %s' % migration.status)
    server = conn.compute.wait_for_server(
        conn.compute.get_server(server.id), status='ACTIVE', wait=60)
    server = conn.compute.get_server(server.id)
    _check(server.compute_host != source,
           'server still on %s after the migration' % source)
    _wait('the migration allocation to go', lambda: not _placement(
        conn, '/allocations/%s' % migration.uuid)['allocations'], timeout=30)
    return server, source


def run(cloud='minicloud', log=print):
    conn = openstack.connect(cloud=cloud)
    t0 = time.monotonic()
    steps = []

    def step(msg):
        steps.append(msg)
        log('[%5.1fs] ok: %s' % (time.monotonic() - t0, msg))

    image, flavor = image_and_flavor(conn)
    step('image %s active, flavor %s' % (image.id, flavor.id))
    servers = []
    try:
        for i in (1, 2):
            servers.append(boot(conn, 'smoke-%d' % i, image, flavor))
            step('server smoke-%d ACTIVE on %s' % (
                i, servers[-1].compute_host))
        check_placement(conn)
        step('placement usage == allocations == flavors after boots')
        moved, source = live_migrate(conn, servers[0])
        step('smoke-1 live-migrated %s -> %s, migration allocation gone' % (
            source, moved.compute_host))
        check_placement(conn)
        step('placement usage == allocations == flavors after the '
             'migration')
    finally:
        for server in servers:
            conn.compute.delete_server(server, ignore_missing=True)
        for server in servers:
            conn.compute.wait_for_delete(server, wait=60)
    check_placement_settles(conn)
    step('smoke servers deleted, placement consistent')
    return steps
