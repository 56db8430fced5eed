"""Where a minicloud keeps its files and which loopback ports it uses.

Everything lives under one work directory (default
/var/tmp/nova-lb-minicloud, or --workdir, or $MINICLOUD_WORKDIR):

  minicloud.json   what `start` was asked for (read by status/kill/restart)
  clouds.yaml      cloud `minicloud` for openstacksdk and nova-lb
  etc/<service>/   generated configuration, one directory per service
  state/<host>/    Nova state_path per host (compute node identity, guests)
  data/            MariaDB datadir, RabbitMQ node, Glance image files,
                   etcd's data dir (with --etcd)
  run/             pid files and the MariaDB socket
  log/<service>.log  stdout+stderr of each service
  cache/           MariaDB datadirs with synced schemas, keyed by package
                   versions (the only thing `start` keeps)
"""

import json
import os
import sys

DEFAULT_WORKDIR = '/var/tmp/nova-lb-minicloud'
HOST = '127.0.0.1'
PORTS = {
    'mariadb': 18306,
    'rabbitmq': 18672,
    'rabbitmq-dist': 18673,
    'epmd': 18369,
    'placement-api': 18778,
    'glance-api': 18292,
    'nova-api': 18774,
    'neutron': 18696,
    # Debian's Prometheus (minicloud_lib.prometheus); tests that run their
    # own next to a minicloud pass another port.
    'prometheus': 18090,
    'etcd': 18379,
    'etcd-peer': 18380,
}
#: Compute K's load exporter (``start --prometheus``) listens on this + K.
LOAD_EXPORTER_BASE = 18100
DB_USER = DB_PASSWORD = 'minicloud'
RABBIT_USER = RABBIT_PASSWORD = 'minicloud'
DATABASES = ('nova_api', 'nova_cell0', 'nova_cell1', 'placement', 'glance')
ADMIN_TOKEN = 'admin:admin'

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


def db_url(name):
    return 'mysql+pymysql://%s:%s@%s:%d/%s?charset=utf8' % (
        DB_USER, DB_PASSWORD, HOST, PORTS['mariadb'], name)


def transport_url():
    return 'rabbit://%s:%s@%s:%d/' % (RABBIT_USER, RABBIT_PASSWORD, HOST,
                                      PORTS['rabbitmq'])


def endpoint(service):
    return 'http://%s:%d' % (HOST, PORTS[service])


def compute_host(index):
    return 'compute-%d' % index


def load_exporter_port(index):
    return LOAD_EXPORTER_BASE + index


class Layout(object):

    def __init__(self, workdir):
        self.workdir = os.path.abspath(workdir)

    def path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def etc(self, service, *parts):
        return self.path('etc', service, *parts)

    def log(self, service):
        return self.path('log', service + '.log')

    def pidfile(self, service):
        return self.path('run', service + '.pid')

    @property
    def state_file(self):
        return self.path('minicloud.json')

    @property
    def clouds_yaml(self):
        return self.path('clouds.yaml')

    @property
    def mysql_socket(self):
        return self.path('run', 'mysqld.sock')

    def read_state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def write_state(self, state):
        with open(self.state_file, 'w') as f:
            json.dump(state, f, indent=2, sort_keys=True)
