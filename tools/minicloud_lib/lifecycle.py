"""install / start / stop / status / kill / restart of a minicloud."""

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
from minicloud_lib import layout as L
from minicloud_lib import services

DEBIAN_PACKAGES = ['mariadb-server', 'rabbitmq-server']
INFRA = ('mariadb', 'epmd', 'rabbitmq')


class LifecycleError(Exception):
    pass


def _say(msg, t0=None):
    if t0 is not None:
        msg = '[%5.1fs] %s' % (time.monotonic() - t0, msg)
    print(msg, flush=True)


# -- install ----------------------------------------------------------------
def install():
    t0 = time.monotonic()
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(['apt-get', 'update', '-q'], check=True, env=env)
    subprocess.run(['apt-get', 'install', '-y', '-q'] + DEBIAN_PACKAGES,
                   check=True, env=env)
    _say('Debian packages installed', t0)
    reqs = os.path.join(L.TOOLS_DIR, 'minicloud-requirements.txt')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '-r', reqs],
                   check=True)
    _say('pip packages installed; done', t0)


# -- helpers ----------------------------------------------------------------
def _running(lay, state):
    return [n for n, s in catalog.build(lay, state).items() if s.pid(lay)]


def _wait(lay, svc, since, t0):
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


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)


def _check_plugin():
    """Import the scheduler plugin as nova-scheduler will, in a child."""
    return subprocess.Popen(
        [sys.executable, '-c',
         'import nova_lb.scheduler.filters as f, '
         'nova_lb.scheduler.weighers as w; f.all_filters; w.all_weighers'],
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


def _wait_cloud(state, t0, timeout=60):
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


# -- start ------------------------------------------------------------------
def start(lay, state, use_cache=True):
    old = lay.read_state()
    if old and _running(lay, old):
        raise LifecycleError('a minicloud is running in %s; stop it first' %
                             lay.workdir)
    t0 = time.monotonic()
    since = _utcnow()
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
        _say('start failed; stopping what was started', t0)
        stop(lay, quiet=True)
        raise
    _say('minicloud up: %d computes; clouds.yaml: %s' % (
        state['computes'], lay.clouds_yaml), t0)


def _start_cloud(lay, state, svcs, since, t0, use_cache, plugin_check):
    svcs['epmd'].start(lay)
    _wait(lay, svcs['epmd'], since, t0)
    svcs['rabbitmq'].start(lay)
    if not use_cache:
        database.remove_snapshot(lay)

    def start_mariadb():
        svcs['mariadb'].start(lay)
        _wait(lay, svcs['mariadb'], since, t0)
        _say('mariadb ready', t0)

    how = database.prepare(lay, start_mariadb,
                           lambda: svcs['mariadb'].stop(lay, grace=60))
    _say('schemas %s' % how, t0)
    # The HTTP APIs need only the database: start them while RabbitMQ boots.
    rest = [s for n, s in svcs.items() if n not in INFRA]
    apis = [s for s in rest if s.http]
    rpc = [s for s in rest if not s.http]
    for svc in apis:
        svc.start(lay)
    _wait(lay, svcs['rabbitmq'], since, t0)
    _say('rabbitmq ready', t0)
    if plugin_check is not None and plugin_check.wait() != 0:
        raise LifecycleError(
            'nova_lb scheduler plugin not importable (%s); use --no-plugin' %
            plugin_check.stderr.read().decode().strip().splitlines()[-1])
    for svc in rpc:
        svc.start(lay)
    for svc in apis + rpc:
        _wait(lay, svc, since, t0)
        _say('%s ready' % svc.name, t0)
    _wait_cloud(state, t0)


# -- stop -------------------------------------------------------------------
def stop(lay, quiet=False):
    t0 = time.monotonic()
    state = lay.read_state()
    if not state:
        if not quiet:
            _say('no minicloud in %s' % lay.workdir)
        return
    svcs = catalog.build(lay, state)
    openstack = [s for n, s in svcs.items() if n not in INFRA]
    threads = [threading.Thread(target=s.stop, args=(lay,))
               for s in openstack]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in ('rabbitmq', 'epmd', 'mariadb'):
        svcs[name].stop(lay, grace=30)
    _say('minicloud stopped', t0)


# -- status / kill / restart --------------------------------------------------
def _group_rss_kb(pgid):
    total = 0
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open('/proc/%s/status' % entry) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except (FileNotFoundError, IndexError, ValueError):
            continue
    return total


def status(lay):
    state = lay.read_state()
    if not state:
        return []
    since = datetime.datetime.fromisoformat(state['started_at'])
    rows = []
    for name, svc in catalog.build(lay, state).items():
        pid = svc.pid(lay)
        rows.append({'service': name, 'pid': pid,
                     'ready': bool(pid) and svc.ready(since),
                     'rss_mb': round(_group_rss_kb(pid) / 1024.0, 1)
                     if pid else 0.0,
                     'log': lay.log(name)})
    return rows


def print_status(rows):
    if not rows:
        print('no minicloud here')
        return
    for r in rows:
        print('%-18s %-8s %-8s %7.1f MB  %s' % (
            r['service'], r['pid'] or '-',
            'ready' if r['ready'] else ('up' if r['pid'] else 'down'),
            r['rss_mb'], r['log']))
    print('%-18s %-8s %-8s %7.1f MB' % ('total', '', '',
                                         sum(r['rss_mb'] for r in rows)))


def service_names(lay):
    state = lay.read_state()
    return list(catalog.build(lay, state)) if state else []


def _service(lay, name):
    state = lay.read_state()
    if not state:
        raise LifecycleError('no minicloud in %s' % lay.workdir)
    svcs = catalog.build(lay, state)
    if name not in svcs:
        raise LifecycleError('unknown service %r; one of: %s' % (
            name, ', '.join(svcs)))
    return svcs[name]


def kill(lay, name):
    svc = _service(lay, name)
    if not svc.kill(lay):
        raise LifecycleError('%s is not running' % name)
    _say('%s killed' % name)


def wait_healthy(lay, timeout=120):
    """Every service running and answering, and Nova reporting every
    nova service `up` (after a fault, computes are `down` until they
    report again through a working RabbitMQ and conductor)."""
    t0 = time.monotonic()
    state = lay.read_state()
    if not state:
        raise LifecycleError('no minicloud in %s' % lay.workdir)
    since = datetime.datetime.fromisoformat(state['started_at'])
    svcs = catalog.build(lay, state)
    down = [n for n, s in svcs.items() if s.pid(lay) is None]
    if down:
        raise LifecycleError('not running: %s' % ', '.join(down))
    deadline = t0 + timeout
    while True:
        waiting = [n for n, s in svcs.items() if not s.ready(since)]
        nova = services.nova_services()
        waiting += ['%s on %s' % key for key, svc in sorted(nova.items())
                    if svc['state'] != 'up']
        if not nova:
            waiting.append('nova-api')
        if not waiting:
            _say('all services up', t0)
            return
        if time.monotonic() > deadline:
            raise LifecycleError('still not up after %ds: %s' % (
                timeout, ', '.join(waiting)))
        time.sleep(1)


def restart(lay, name):
    t0 = time.monotonic()
    svc = _service(lay, name)
    svc.stop(lay)
    since = _utcnow()
    svc.start(lay)
    _wait(lay, svc, since, t0)
    _say('%s restarted and ready' % name, t0)
