"""The minicloud as the e2e tests see it: through its APIs only.

Servers are booted onto a chosen host with Nova's ``nova:HOST`` zone (an
admin's way to place a server; the scheduler's filters are skipped), which
is how a test builds a skewed cloud on purpose.
"""

import os
import sys
import time

import openstack

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

from minicloud_lib import layout  # noqa: E402
from minicloud_lib import ops  # noqa: E402
from minicloud_lib import smoke  # noqa: E402

WORKDIR = os.environ.get('MINICLOUD_WORKDIR', layout.DEFAULT_WORKDIR)
LAYOUT = layout.Layout(WORKDIR)
CLOUDS_YAML = os.path.join(WORKDIR, 'clouds.yaml')
FINAL = ('completed', 'error', 'failed', 'cancelled', 'done')


class NotRunning(Exception):
    pass


def require_running():
    """Raise NotRunning, one line, unless every minicloud service runs."""
    rows = ops.status(LAYOUT)
    down = [r['service'] for r in rows if not r['pid']]
    if not rows or down:
        raise NotRunning(
            'no running minicloud in %s (%s): run tools/run-e2e, or '
            'tools/minicloud start first' % (
                WORKDIR, 'down: ' + ', '.join(down) if rows else 'none'))


def connect():
    os.environ['OS_CLIENT_CONFIG_FILE'] = CLOUDS_YAML
    return openstack.connect(cloud='minicloud')


def wait_for(what, predicate, timeout=120, interval=1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ds waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


def placement(conn, path):
    resp = conn.placement.get(path, microversion='1.30')
    assert resp.status_code == 200, 'GET %s: %s' % (path, resp.status_code)
    return resp.json()


def compute(conn, path, version='2.80'):
    resp = conn.compute.get(path, microversion=version)
    assert resp.status_code == 200, 'GET %s: %s' % (path, resp.status_code)
    return resp.json()


def hosts(conn):
    """compute host -> resource provider uuid."""
    return {hv['service']['host']: hv['id'] for hv in compute(
        conn, '/os-hypervisors/detail', '2.53')['hypervisors']}


def servers(conn):
    return compute(conn, '/servers/detail?all_tenants=1', '2.47')['servers']


def migrations(conn, since=None):
    """Live migrations, oldest first; those created at or after ``since``
    (an ISO time string) when given."""
    found = compute(conn, '/os-migrations?migration_type=live-migration'
                    )['migrations']
    if since:
        found = [m for m in found if m['created_at'] >= since]
    return sorted(found, key=lambda m: m['id'])


def in_flight(conn):
    return [m for m in migrations(conn) if m['status'] not in FINAL]


def wait_steadily(what, predicate, seconds, timeout=300, interval=0.5):
    """Wait until ``predicate()`` has held ``seconds`` in a row."""
    since = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        since = (since or now) if predicate() else None
        if since and now - since >= seconds:
            return
        time.sleep(interval)
    raise AssertionError('timed out after %ds waiting for %s for %ds in a '
                         'row' % (timeout, what, seconds))


def wait_settled(conn):
    """Wait until no live migration is in flight or requested, 5 s in a
    row.

    A client killed just after sending a live-migration request leaves the
    request to nova-api: the server shows ``migrating`` (its task state)
    only once the API has checked it, and the migration record only once
    the conductor picks it up. The quiet spell outlasts both.
    """
    wait_steadily('no live migration in flight or requested', lambda: not (
        in_flight(conn) or any(s['OS-EXT-STS:task_state']
                               for s in servers(conn))), 5)


def image_and_flavor(conn):
    image = next(conn.image.images(name='minicloud-smoke'), None)
    flavor = conn.compute.find_flavor(smoke.FLAVOR['name'])
    if image is None or flavor is None:
        image, flavor = smoke.image_and_flavor(conn)
    return image, flavor


def boot(conn, names, host=None, wait=True, metadata=None):
    """Create servers ``names`` (on ``host`` if given); wait for ACTIVE.

    ``metadata`` is given to each server (e.g. the minicloud's synthetic
    load, see tools/minicloud_lib/load_exporter.py).

    Creates them one after the other, each waited for when ``host`` is
    None (concurrent scheduling decisions use stale host state).
    """
    image, flavor = image_and_flavor(conn)
    zone = {'availability_zone': 'nova:%s' % host} if host else {}
    made = []
    for name in names:
        made.append(conn.compute.create_server(
            name=name, image_id=image.id, flavor_id=flavor.id,
            networks='none', metadata=metadata or {}, **zone))
        if wait or host is None:
            conn.compute.wait_for_server(made[-1], status='ACTIVE', wait=120)
    for server in made:
        conn.compute.wait_for_server(server, status='ACTIVE', wait=120)
    return [conn.compute.get_server(s.id) for s in made]


def clean(conn):
    """No server, no draining aggregate host, no allocation left."""
    for agg in conn.compute.aggregates():
        for host in agg.hosts or ():
            conn.compute.remove_host_from_aggregate(agg, host)
    for server in conn.compute.servers(all_projects=True):
        conn.compute.delete_server(server, ignore_missing=True)
    wait_for('every server to be deleted',
             lambda: not list(conn.compute.servers(all_projects=True)))
    for rp in hosts(conn).values():
        for consumer in placement(conn, '/resource_providers/%s/allocations'
                                  % rp)['allocations']:
            # Leftovers of failed moves: the cloud's admin would do this.
            conn.placement.delete('/allocations/%s' % consumer,
                                  microversion='1.30')
    wait_for('Placement to show no usage', lambda: not any(
        v for rp in hosts(conn).values() for v in placement(
            conn, '/resource_providers/%s/usages' % rp)['usages'].values()))
