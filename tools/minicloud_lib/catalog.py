"""Which services a minicloud runs, in start order, and their commands."""

import collections
import os

from minicloud_lib import etcd
from minicloud_lib import layout as L
from minicloud_lib.services import Service

MARIADBD = '/usr/sbin/mariadbd'
RABBIT_DIR = '/usr/lib/rabbitmq/bin'


def _venv(name):
    return os.path.join(L.VENV_BIN, name)


def _gunicorn(name, module):
    return [_venv('gunicorn'), '--bind', '%s:%d' % (L.HOST, L.PORTS[name]),
            '--workers', '1', '--worker-class', 'gthread', '--threads', '8',
            '--timeout', '300', '--graceful-timeout', '5',
            # No keep-alive: a client reusing a connection the server is
            # closing at that moment gets RemoteDisconnected (seen with
            # openstacksdk's 2 s polling against gunicorn's 2 s default).
            '--keep-alive', '0',
            '--no-control-socket', '--name', 'minicloud-' + name, module]


def rabbit_env(lay):
    data = lay.path('data', 'rabbitmq')
    return {
        'HOME': data,
        'RABBITMQ_NODENAME': 'minicloud@localhost',
        'RABBITMQ_NODE_IP_ADDRESS': L.HOST,
        'RABBITMQ_NODE_PORT': str(L.PORTS['rabbitmq']),
        'RABBITMQ_DIST_PORT': str(L.PORTS['rabbitmq-dist']),
        'ERL_EPMD_ADDRESS': L.HOST,
        'ERL_EPMD_PORT': str(L.PORTS['epmd']),
        'RABBITMQ_MNESIA_BASE': os.path.join(data, 'mnesia'),
        'RABBITMQ_LOG_BASE': lay.path('log', 'rabbitmq'),
        'RABBITMQ_PID_FILE': lay.path('run', 'rabbitmq-beam.pid'),
        'RABBITMQ_CONFIG_FILE': lay.etc('rabbitmq', 'rabbitmq.conf'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': lay.etc('rabbitmq',
                                                 'enabled_plugins'),
        'RABBITMQ_CONF_ENV_FILE': lay.etc('rabbitmq', 'rabbitmq-env.conf'),
        'RABBITMQ_LOGS': '-',
        # Erlang distribution listens on loopback only, like everything else.
        'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS':
            '-kernel inet_dist_use_interface {127,0,0,1}',
    }


def write_rabbit_config(lay):
    etc = lay.etc('rabbitmq')
    os.makedirs(etc, exist_ok=True)
    os.makedirs(lay.path('data', 'rabbitmq', 'mnesia'), exist_ok=True)
    with open(os.path.join(etc, 'rabbitmq.conf'), 'w') as f:
        f.write('listeners.tcp.1 = %s:%d\n' % (L.HOST, L.PORTS['rabbitmq']))
        f.write('default_user = %s\ndefault_pass = %s\n' % (
            L.RABBIT_USER, L.RABBIT_PASSWORD))
        f.write('loopback_users = none\n')
    with open(os.path.join(etc, 'enabled_plugins'), 'w') as f:
        f.write('[].\n')
    with open(os.path.join(etc, 'rabbitmq-env.conf'), 'w') as f:
        f.write('# minicloud: everything comes from the environment\n')


def mariadbd_argv(lay):
    return [MARIADBD, '--no-defaults', '--user=root',
            '--datadir=' + lay.path('data', 'mysql'),
            '--socket=' + lay.mysql_socket,
            '--pid-file=' + lay.path('run', 'mariadbd-own.pid'),
            '--bind-address=' + L.HOST, '--port=%d' % L.PORTS['mariadb'],
            '--skip-name-resolve', '--skip-log-bin',
            '--max-connections=1000',
            '--innodb-buffer-pool-size=128M', '--innodb-log-file-size=16M',
            '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
            '--character-set-server=utf8mb4',
            '--log-error=' + lay.path('log', 'mariadb-error.log')]


def build(lay, state):
    """Ordered name -> Service for the cloud described by `state`."""
    py = {'PYTHONPATH': L.TOOLS_DIR}
    nova_conf = ['--config-file', lay.etc('nova', 'nova.conf')]
    svcs = [
        Service('mariadb', mariadbd_argv(lay), port=L.PORTS['mariadb']),
        Service('epmd', ['/usr/bin/epmd', '-address', L.HOST,
                         '-port', str(L.PORTS['epmd'])],
                port=L.PORTS['epmd']),
        Service('rabbitmq', [os.path.join(RABBIT_DIR, 'rabbitmq-server')],
                env=rabbit_env(lay), port=L.PORTS['rabbitmq']),
        Service('neutron', [_venv('python'), '-m', 'minicloud_lib.neutron',
                            str(L.PORTS['neutron'])],
                env=py, port=L.PORTS['neutron'], http=True),
        Service('placement-api',
                _gunicorn('placement-api', 'placement.wsgi.api:application'),
                env={'OS_PLACEMENT_CONFIG_DIR': lay.etc('placement')},
                port=L.PORTS['placement-api'], http=True),
        Service('glance-api',
                _gunicorn('glance-api', 'glance.wsgi.api:application'),
                env=dict(py, OS_GLANCE_CONFIG_DIR=lay.etc('glance')),
                port=L.PORTS['glance-api'], http=True),
        Service('nova-api',
                _gunicorn('nova-api', 'minicloud_lib.nova_api_wsgi:application'),
                env=dict(py, OS_NOVA_CONFIG_DIR=lay.etc('nova'),
                         OS_NOVA_CONFIG_FILES='api-paste.ini;nova.conf'),
                port=L.PORTS['nova-api'], http=True),
        Service('nova-conductor', [_venv('nova-conductor')] + nova_conf,
                env={'MINICLOUD_HOST': 'minicloud-control'},
                nova_binary='nova-conductor'),
        Service('nova-scheduler', [_venv('nova-scheduler')] + nova_conf,
                env={'MINICLOUD_HOST': 'minicloud-control'},
                nova_binary='nova-scheduler'),
    ]
    if state.get('etcd'):
        svcs.append(etcd.Etcd(lay))
    for index in range(1, state['computes'] + 1):
        host = L.compute_host(index)
        svcs.append(Service(
            'nova-' + host,
            [_venv('python'), '-m', 'minicloud_lib.nova_compute',
             '--config-file', lay.etc(host, 'nova.conf')],
            env=dict(py, MINICLOUD_HOST=host), nova_binary='nova-compute'))
    return collections.OrderedDict((s.name, s) for s in svcs)
