"""Operations on a running minicloud: status, kill, restart, wait.

These are what fault tests use: `kill` is a crash (SIGKILL to the
service's process group), `restart` brings one service back and waits
until it answers, and `wait` until the whole cloud is healthy again.
"""

import datetime
import time

from minicloud_lib import catalog
from minicloud_lib import services
from minicloud_lib.lifecycle import LifecycleError, say, utcnow, wait_ready


def _group_rss_kb(pgid):
    total = 0
    for pid, _ in services.group_members(pgid):
        try:
            with open('/proc/%s/status' % pid) as f:
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
    say('%s killed' % name)


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
            say('all services up', t0)
            return
        if time.monotonic() > deadline:
            raise LifecycleError('still not up after %ds: %s' % (
                timeout, ', '.join(waiting)))
        time.sleep(1)


def restart(lay, name):
    t0 = time.monotonic()
    svc = _service(lay, name)
    svc.stop(lay)
    since = utcnow()
    svc.start(lay)
    wait_ready(lay, svc, since)
    say('%s restarted and ready' % name, t0)
