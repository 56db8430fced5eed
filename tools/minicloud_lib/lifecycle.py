"""install, start and stop of a whole minicloud."""

import datetime
import os
import shutil
import subprocess
import sys
import threading
import time

from minicloud_lib import catalog
from minicloud_lib import configs
from minicloud_lib import database
from minicloud_lib import debian
from minicloud_lib import layout as L
from minicloud_lib import prometheus
from minicloud_lib import services

# etcd-server: the coordination service of tests/e2e/test_coordination.py.
DEBIAN_PACKAGES = ['mariadb-server', 'rabbitmq-server', 'etcd-server']
INFRA = ('mariadb', 'epmd', 'rabbitmq')


class LifecycleError(Exception):
    pass


def say(msg, t0=None):
    if t0 is not None:
        msg = '[%5.1fs] %s' % (time.monotonic() - t0, msg)
    print(msg, flush=True)


# -- install ----------------------------------------------------------------
def install():
    """Debian's servers (MariaDB, RabbitMQ, etcd) and Glance & co. into this
    venv; idempotent."""
    t0 = time.monotonic()
    debian.apt_install(DEBIAN_PACKAGES)
    prometheus.install()
    say('Debian packages installed', t0)
    # Nova and Placement stay at the versions the project tests against.
    reqs = os.path.join(L.TOOLS_DIR, 'minicloud-requirements.txt')
    pins = os.path.join(os.path.dirname(L.TOOLS_DIR), 'test-requirements.txt')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '-r', reqs,
                    '-c', pins], check=True)
    say('pip packages installed; done', t0)


# -- helpers ----------------------------------------------------------------
def _running(lay, state):
    return [n for n, s in catalog.build(lay, state).items() if s.pid(lay)]


def wait_ready(lay, svc, since):
    deadline = time.monotonic() + svc.timeout
    while time.monotonic() < deadline:
        if svc.ready(since):
            return
        if svc.pid(lay) is None:
            raise LifecycleError('%s exited while starting; see %s' % (
                svc.name, lay.log(svc.name)))
        time.sleep(0.5)
    raise LifecycleError('%s not ready after %ds; see %s' % (
        svc.name, svc.timeout, lay.log(svc.name)))


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)


def _ports_in_use():
    return ', '.join('%s (%d)' % (name, port)
                     for name, port in sorted(L.PORTS.items())
                     if services.port_open(L.HOST, port))


def _check_plugin():
    """Import the scheduler plugin as nova-scheduler will, in a child."""
    return subprocess.Popen(
        [sys.executable, '-c',
         'import nova_lb.scheduler.filters as f, '
         'nova_lb.scheduler.weighers as w; f.all_filters(); w.all_weighers()'],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wipe(lay):
    os.makedirs(lay.workdir, exist_ok=True)
    for entry in os.listdir(lay.workdir):
        if entry == 'cache':
            continue
        path = lay.path(entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def _wait_cloud(state, timeout=60):
    """All computes mapped to the cell and reporting inventory."""
    want = state['computes']
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            hvs = services.api_get('nova-api', '/v2.1/os-hypervisors')
            rps = services.api_get('placement-api', '/resource_providers')
        except OSError:
            hvs = rps = None
        if (hvs and rps and len(hvs['hypervisors']) == want and
                len(rps['resource_providers']) == want):
            return
        time.sleep(1)
    raise LifecycleError('computes not all mapped/reporting after %ds' %
                         timeout)


# -- start ----
def options(computes=3, migration_seconds=0.0, plugin=True, debug=False,
            vcpus=8, memory_mb=16384, local_gb=200, sizes=None, etcd=False,
            prometheus=False):
    """What `start` builds: the CLI's options, for tests calling start().

    `sizes` maps a compute's index (1..computes) to its own
    (vcpus, memory_mb, local_gb); the others get the defaults. `etcd`
    adds an etcd member (service `etcd`) for coordination.
    `prometheus`: each compute serves its guests' load and Debian's
    Prometheus scrapes them every second (see :func:`start_prometheus`).
    """
    sizes = dict(sizes or {})
    if computes < 1:
        raise LifecycleError('--computes must be at least 1')
    if migration_seconds < 0:
        raise LifecycleError('--migration-seconds must not be negative')
    bad = [i for i in sizes if not 1 <= i <= computes]
    if bad:
        raise LifecycleError('no compute %s: computes are 1..%d' % (
            bad[0], computes))
    inventories = {}
    for index in range(1, computes + 1):
        size = sizes.get(index, (vcpus, memory_mb, local_gb))
        if min(size) < 1:
            raise LifecycleError('compute %d: VCPU, MEMORY_MB and DISK_GB '
                                 'must be at least 1, not %s' % (index, size))
        inventories[str(index)] = dict(zip(
            ('vcpus', 'memory_mb', 'local_gb'), size))
    return {'computes': computes, 'migration_seconds': migration_seconds,
            'plugin': plugin, 'debug': debug, 'inventories': inventories,
            'etcd': etcd, 'prometheus': prometheus}


def start(lay, state, use_cache=True):
    old = lay.read_state()
    if old and _running(lay, old):
        raise LifecycleError('a minicloud is running in %s; stop it first' %
                             lay.workdir)
    busy = _ports_in_use()
    if busy:
        raise LifecycleError('ports already in use on 127.0.0.1: %s' % busy)
    t0 = time.monotonic()
    since = utcnow()
    plugin_check = _check_plugin() if state['plugin'] else None
    _wipe(lay)
    for sub in ('run', 'log', 'cache', 'data'):
        os.makedirs(lay.path(sub), exist_ok=True)
    state = dict(state, started_at=since.isoformat(), ports=L.PORTS,
                 workdir=lay.workdir)
    lay.write_state(state)
    configs.write_all(lay, state)
    catalog.write_rabbit_config(lay)
    svcs = catalog.build(lay, state)
    try:
        _start_cloud(lay, state, svcs, since, t0, use_cache, plugin_check)
    except BaseException:
        say('start failed; stopping what was started', t0)
        try:
            stop(lay, quiet=True)
        except LifecycleError as exc:
            say(str(exc))
        raise
    say('minicloud up: %d computes; clouds.yaml: %s' % (
        state['computes'], lay.clouds_yaml), t0)


def _start_cloud(lay, state, svcs, since, t0, use_cache, plugin_check):
    svcs['epmd'].start(lay)
    wait_ready(lay, svcs['epmd'], since)
    svcs['rabbitmq'].start(lay)
    if not use_cache:
        database.remove_snapshot(lay)

    def start_mariadb():
        svcs['mariadb'].start(lay)
        wait_ready(lay, svcs['mariadb'], since)
        say('mariadb ready', t0)

    how = database.prepare(lay, start_mariadb,
                           lambda: svcs['mariadb'].stop(lay, grace=60))
    say('schemas %s' % how, t0)
    # The HTTP APIs need only the database: start them while RabbitMQ boots.
    rest = [s for n, s in svcs.items() if n not in INFRA]
    apis = [s for s in rest if s.http]
    rpc = [s for s in rest if not s.http]
    for svc in apis:
        svc.start(lay)
    wait_ready(lay, svcs['rabbitmq'], since)
    say('rabbitmq ready', t0)
    if plugin_check is not None and plugin_check.wait() != 0:
        raise LifecycleError(
            'nova_lb scheduler plugin not importable (%s); use --no-plugin' %
            plugin_check.stderr.read().decode().strip().splitlines()[-1])
    for svc in rpc:
        svc.start(lay)
    for svc in apis + rpc:
        wait_ready(lay, svc, since)
        say('%s ready' % svc.name, t0)
    _wait_cloud(state)
    if state.get('prometheus'):
        start_prometheus(lay, state)
        say('prometheus ready at %s' % L.endpoint('prometheus'), t0)


def scrape_configs(state):
    """Prometheus' scrape of every compute's load exporter.

    Each target is labelled with its compute host (``host``), so a test
    can sum measured load per host as an admin's dashboard would.
    """
    return [{'job_name': 'minicloud-load', 'static_configs': [
        {'targets': ['%s:%d' % (L.HOST, L.load_exporter_port(index))],
         'labels': {'host': L.compute_host(index)}}
        for index in range(1, state['computes'] + 1)]}]


def start_prometheus(lay, state):
    try:
        prometheus.start(lay.path('prometheus'), scrape_configs(state))
    except prometheus.PrometheusError as exc:
        raise LifecycleError(str(exc))


# -- stop -------------------------------------------------------------------
def stop(lay, quiet=False):
    t0 = time.monotonic()
    state = lay.read_state()
    if not state:
        if not quiet:
            say('no minicloud in %s' % lay.workdir)
        return
    svcs = catalog.build(lay, state)
    openstack = [s for n, s in svcs.items() if n not in INFRA]
    threads = [threading.Thread(target=s.stop, args=(lay,))
               for s in openstack]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if state.get('prometheus'):
        prometheus.Prometheus(lay.path('prometheus'),
                              L.PORTS['prometheus']).stop()
    for name in ('rabbitmq', 'epmd', 'mariadb'):
        svcs[name].stop(lay, grace=30)
    busy = _ports_in_use()
    if busy:
        raise LifecycleError('stopped, but still listening on 127.0.0.1: %s'
                             % busy)
    say('minicloud stopped; nothing listening on its ports', t0)
