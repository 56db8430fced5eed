"""MariaDB on a private datadir, and the schemas every service needs.

A full schema sync costs ~20-30 s (nova-manage and placement-manage spend
seconds just loading), so the datadir of a freshly synced MariaDB is kept
in the cache directory, keyed by the package versions and connection URLs
that shaped it, and copied back by later starts.
"""

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import threading

from minicloud_lib import layout as L

MARIADB = '/usr/bin/mariadb'


def install_datadir(lay):
    datadir = lay.path('data', 'mysql')
    os.makedirs(datadir, exist_ok=True)
    subprocess.run(
        ['/usr/bin/mariadb-install-db', '--no-defaults', '--user=root',
         '--datadir=' + datadir, '--auth-root-authentication-method=socket',
         '--skip-test-db'],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sql(lay, statements):
    subprocess.run([MARIADB, '--no-defaults', '--socket=' + lay.mysql_socket,
                    '-uroot'], input=statements.encode(), check=True)


def create_databases_and_user(lay):
    stmts = ['CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8;' % db
             for db in L.DATABASES]
    for host in ('127.0.0.1', 'localhost'):
        stmts.append("CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY "
                     "'%s';" % (L.DB_USER, host, L.DB_PASSWORD))
        stmts.append("GRANT ALL ON *.* TO '%s'@'%s';" % (L.DB_USER, host))
    sql(lay, '\n'.join(stmts))


def schema_key():
    parts = [importlib.metadata.version(p) for p in
             ('nova', 'openstack-placement', 'glance', 'SQLAlchemy')]
    parts.append(subprocess.run([MARIADB, '--version'], capture_output=True,
                                text=True).stdout.strip())
    parts += [L.db_url(db) for db in L.DATABASES] + [L.transport_url()]
    return hashlib.sha256('\n'.join(parts).encode()).hexdigest()[:16]


def snapshot_dir(lay):
    return lay.path('cache', 'mysql-%s' % schema_key())


def remove_snapshot(lay):
    shutil.rmtree(snapshot_dir(lay), ignore_errors=True)


def _run_all(commands, log):
    for cmd in commands:
        log.write(('$ %s\n' % ' '.join(cmd)).encode())
        log.flush()
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def sync_schemas(lay):
    """Run every service's own schema tool, the three stacks in parallel."""
    bin_ = L.VENV_BIN
    nova = [os.path.join(bin_, 'nova-manage'), '--config-file',
            lay.etc('nova', 'nova.conf')]
    chains = [
        [nova + ['api_db', 'sync'],
         nova + ['cell_v2', 'map_cell0', '--database_connection',
                 L.db_url('nova_cell0')],
         nova + ['db', 'sync'],
         nova + ['cell_v2', 'create_cell', '--name', 'cell1']],
        [[os.path.join(bin_, 'placement-manage'), '--config-file',
          lay.etc('placement', 'placement.conf'), 'db', 'sync']],
        [[os.path.join(bin_, 'glance-manage'), '--config-file',
          lay.etc('glance', 'glance-api.conf'), 'db', 'sync']],
    ]
    errors = []

    def run(index, chain):
        with open(lay.path('log', 'schema-sync-%d.log' % index), 'ab') as log:
            try:
                _run_all(chain, log)
            except subprocess.CalledProcessError as exc:
                errors.append('%s failed (see %s)' % (
                    ' '.join(exc.cmd[:4]), log.name))

    threads = [threading.Thread(target=run, args=(i, c))
               for i, c in enumerate(chains)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError('; '.join(errors))


def prepare(lay, start_mariadb, stop_mariadb):
    """A running MariaDB with every schema synced; 'restored' or 'synced'.

    A cold start runs the services' own schema tools, shuts MariaDB down
    cleanly and keeps a copy of its datadir in the cache; later starts
    copy that back (a second or two) instead of syncing (~20-30 s) or
    replaying a dump (~15 s: hundreds of InnoDB tables).
    """
    datadir = lay.path('data', 'mysql')
    snapshot = snapshot_dir(lay)
    if os.path.isdir(snapshot):
        shutil.copytree(snapshot, datadir)
        start_mariadb()
        return 'restored'
    install_datadir(lay)
    start_mariadb()
    create_databases_and_user(lay)
    sync_schemas(lay)
    stop_mariadb()
    tmp = snapshot + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(datadir, tmp)
    os.rename(tmp, snapshot)
    start_mariadb()
    return 'synced'
