"""MariaDB on a private datadir, and the schemas every service needs.

A full schema sync costs ~30 s (nova-manage and placement-manage spend
seconds just loading), so the synced databases are dumped once into the
cache directory, keyed by the package versions and connection URLs that
shaped them, and restored by later starts.
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


def dump_path(lay):
    return lay.path('cache', 'schemas-%s.sql' % schema_key())


def remove_dump(lay):
    try:
        os.remove(dump_path(lay))
    except FileNotFoundError:
        pass


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


def prepare_schemas(lay):
    """Restore the cached dump, or sync and cache one. Returns 'restored'
    or 'synced'."""
    dump = dump_path(lay)
    if os.path.exists(dump):
        with open(dump, 'rb') as f:
            subprocess.run([MARIADB, '--no-defaults',
                            '--socket=' + lay.mysql_socket, '-uroot'],
                           stdin=f, check=True)
        return 'restored'
    sync_schemas(lay)
    os.makedirs(os.path.dirname(dump), exist_ok=True)
    tmp = dump + '.tmp'
    with open(tmp, 'wb') as f:
        subprocess.run(['/usr/bin/mariadb-dump', '--no-defaults',
                        '--socket=' + lay.mysql_socket, '-uroot',
                        '--skip-comments', '--databases'] + list(L.DATABASES),
                       stdout=f, check=True)
    shutil.move(tmp, dump)
    return 'synced'
