"""The services of a minicloud: how each starts, when it is ready, and
stopping or killing it by the PID the minicloud recorded.

Every service runs in its own session (process group), so one signal to
the recorded PID's group reaches its workers (gunicorn's, Erlang's) and
nothing else on the machine.
"""

import datetime
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from minicloud_lib import layout as L


class Service(object):
    """One service: a command, its environment and a readiness check."""

    def __init__(self, name, argv, env=None, port=None, http=False,
                 nova_binary=None, timeout=90):
        self.name = name
        self.argv = argv
        self.env = env or {}
        self.port = port
        self.http = http
        self.nova_binary = nova_binary
        self.timeout = timeout

    # -- process ----------------------------------------------------------
    def pid(self, lay):
        try:
            with open(lay.pidfile(self.name)) as f:
                pid = int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def start(self, lay):
        env = dict(os.environ)
        env.update(self.env)
        os.makedirs(os.path.dirname(lay.log(self.name)), exist_ok=True)
        os.makedirs(os.path.dirname(lay.pidfile(self.name)), exist_ok=True)
        with open(lay.log(self.name), 'ab') as log:
            proc = subprocess.Popen(
                self.argv, env=env, cwd=lay.workdir, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        with open(lay.pidfile(self.name), 'w') as f:
            f.write('%d\n' % proc.pid)
        return proc.pid

    def signal(self, lay, signum):
        pid = self.pid(lay)
        if pid is None:
            return False
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            return False
        return True

    def stop(self, lay, grace=15):
        """SIGTERM the service's process group, SIGKILL it after grace."""
        pid = self.pid(lay)
        if pid is None:
            _remove(lay.pidfile(self.name))
            return
        _killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(pid):
            time.sleep(0.2)
        if _group_alive(pid):
            _killpg(pid, signal.SIGKILL)
            while _group_alive(pid):
                time.sleep(0.1)
        _remove(lay.pidfile(self.name))

    def kill(self, lay):
        """SIGKILL, as a crash would: pid file kept for `restart`."""
        pid = self.pid(lay)
        if pid is None:
            return False
        _killpg(pid, signal.SIGKILL)
        while _group_alive(pid):
            time.sleep(0.1)
        return True

    # -- readiness --------------------------------------------------------
    def ready(self, since):
        """True once the service answers; Nova services must have reported
        to the database after `since` (a UTC datetime)."""
        if self.http:
            return _http_answers(L.HOST, self.port)
        if self.port:
            return port_open(L.HOST, self.port)
        if self.nova_binary:
            svc = nova_services().get((self.nova_binary, self.host_name))
            return bool(svc and svc['state'] == 'up' and
                        svc['updated_at'] and
                        _parse_time(svc['updated_at']) >= since)
        return True

    @property
    def host_name(self):
        return self.env.get('MINICLOUD_HOST')


def api_get(service, path):
    req = urllib.request.Request(L.endpoint(service) + path, headers={
        'X-Auth-Token': L.ADMIN_TOKEN, 'Accept': 'application/json',
        'OpenStack-API-Version': 'compute 2.53'})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def nova_services():
    try:
        services = api_get('nova-api', '/v2.1/os-services')['services']
    except (OSError, ValueError, urllib.error.URLError):
        return {}
    return {(s['binary'], s['host']): s for s in services}


def _parse_time(text):
    return datetime.datetime.fromisoformat(text.split('.')[0].rstrip('Z'))


def _http_answers(host, port):
    try:
        urllib.request.urlopen('http://%s:%d/' % (host, port), timeout=5)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def port_open(host, port):
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is dead for our purposes.
    fields = _stat(pid)
    return fields is not None and fields[0] != 'Z'


def _stat(pid):
    """The fields of /proc/<pid>/stat after the command name (state
    letter first), or None once the process is gone."""
    try:
        with open('/proc/%s/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()
    except (FileNotFoundError, IndexError):
        return None


def group_members(pgid):
    """``(pid, state letter)`` of every process in process group ``pgid``."""
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        fields = _stat(entry)
        if fields is not None and int(fields[2]) == pgid:
            yield entry, fields[0]


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return any(state != 'Z' for _, state in group_members(pgid))


def _killpg(pgid, signum):
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
