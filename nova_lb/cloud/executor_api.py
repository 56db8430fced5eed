"""The executor's writes and polls: the cloud calls besides the snapshot.

Planning reads the cloud through :mod:`nova_lb.cloud.collector`; carrying a
plan out needs a few more calls, all here: start, watch and abort live
migrations, look at one server, one compute service and one resource
provider just before a move, and edit the draining aggregate. Every method
returns plain JSON data (dicts, lists, strings), so the pre-checks and the
executor never see an openstacksdk object, and every call goes through
the same :class:`~nova_lb.cloud.client.Client` as the collector's (its
timeouts and retries).
"""

from openstack import exceptions as sdk_exceptions

from nova_lb.cloud import client as client_mod
from nova_lb.cloud import versions

#: Live-migration states Nova is still working on.
IN_PROGRESS = ('accepted', 'queued', 'preparing', 'running',
               'post-migrating')
#: States after which Nova does nothing more with a live migration.
ENDED = ('completed', 'failed', 'error', 'cancelled')


class ExecutorApi(object):
    """Plain-data access to Nova and Placement for the executor."""

    def __init__(self, client):
        """:param client: a :class:`nova_lb.cloud.client.Client`."""
        self._client = client
        self._conn = client.conn

    @classmethod
    def configured(cls, conn, settings):
        """An ExecutorApi on ``conn`` retrying as ``[executor]``
        (``settings``) says."""
        return cls(client_mod.Client.configured(conn, settings))

    def _compute(self, path, **params):
        """A Nova body, or None for 404."""
        return self._client.get('compute', path,
                                versions.COMPUTE['executor'], params,
                                missing_ok=True)

    def _placement(self, path):
        """A Placement body, or None for 404."""
        return self._client.get('placement', path, versions.PLACEMENT,
                                missing_ok=True)

    # -- pre-checks -------------------------------------------------------

    def server(self, server_id):
        """``GET /servers/{id}``'s server, or None if it is gone."""
        body = self._compute('/servers/%s' % server_id)
        return body and body['server']

    def servers_on(self, host):
        """Every server of every project on ``host``."""
        return self._compute('/servers/detail', all_tenants='1',
                             host=host)['servers']

    def compute_service(self, host):
        """The ``nova-compute`` service of ``host``, or None."""
        services = self._compute('/os-services', binary='nova-compute',
                                 host=host)['services']
        return services[0] if services else None

    def provider(self, rp_uuid):
        """``(inventories, usages)`` of a resource provider."""
        base = '/resource_providers/%s' % rp_uuid
        return (self._placement(base + '/inventories')['inventories'],
                self._placement(base + '/usages')['usages'])

    def allocations(self, consumer):
        """``{rp uuid: {resource class: amount}}`` held by a consumer."""
        body = self._placement('/allocations/%s' % consumer) or {}
        return {rp: alloc['resources']
                for rp, alloc in body.get('allocations', {}).items()}

    # -- live migrations --------------------------------------------------

    def live_migrations(self, server_id):
        """Every live migration of a server, oldest first."""
        return sorted(self._compute(
            '/os-migrations', instance_uuid=server_id,
            migration_type='live-migration')['migrations'],
            key=lambda m: m['id'])

    def live_migrations_in_progress(self):
        """Live migrations of any server, by anyone, not yet ended."""
        return [m for status in IN_PROGRESS
                for m in self._compute('/os-migrations', status=status,
                                       migration_type='live-migration'
                                       )['migrations']]

    def failed_steps(self, server_id):
        """Names of the failed steps of a server's last live migration,
        with their hosts (e.g. ``compute_pre_live_migration on host2``),
        from its instance action; an empty list if Nova recorded none."""
        actions = (self._compute('/servers/%s/os-instance-actions'
                                 % server_id) or {}).get('instanceActions', [])
        action = next((a for a in actions
                       if a['action'] == 'live-migration'), None)
        if action is None:
            return []
        detail = self._compute('/servers/%s/os-instance-actions/%s'
                               % (server_id, action['request_id'])) or {}
        return ['%s on %s' % (e['event'], e.get('host') or '?')
                for e in detail.get('instanceAction', {}).get('events', [])
                if e.get('result') == 'Error']

    def live_migrate(self, server_id, host):
        """Ask Nova to live-migrate a server to ``host``.

        Never forced: the scheduler runs every enabled filter on ``host``
        (API >= 2.30), so Nova and nova-lb's own filters vet it. Not
        retried: a POST that timed out may have started a migration; the
        caller looks for one instead.
        """
        self._conn.compute.live_migrate_server(
            server_id, host=host, block_migration='auto')

    def abort(self, server_id, migration_id):
        """Ask Nova to abort a live migration; False if it refused.

        Nova refuses (400/404) a migration that is no longer abortable,
        e.g. already post-migrating or ended.
        """
        try:
            self._client.call(
                'abort migration %s' % migration_id,
                self._conn.compute.abort_server_migration,
                str(migration_id), server=server_id, ignore_missing=False)
        except (sdk_exceptions.BadRequestException,
                sdk_exceptions.NotFoundException,
                sdk_exceptions.ConflictException):
            return False
        return True

    # -- the draining aggregate -------------------------------------------

    def aggregate(self, name, create=False):
        """``{'id', 'name', 'hosts'}`` of an aggregate, or None."""
        try:
            agg = self._client.call('find aggregate %s' % name,
                                   self._conn.compute.find_aggregate, name,
                                   ignore_missing=False)
        except sdk_exceptions.NotFoundException:
            agg = None
        if agg is None and create:
            agg = self._client.call('create aggregate %s' % name,
                                   self._conn.compute.create_aggregate,
                                   name=name)
        return agg and {'id': agg.id, 'name': agg.name,
                        'hosts': list(agg.hosts or ())}

    def add_host(self, aggregate_id, host):
        self._client.call('add %s to aggregate' % host,
                         self._conn.compute.add_host_to_aggregate,
                         aggregate_id, host)

    def remove_host(self, aggregate_id, host):
        self._client.call('remove %s from aggregate' % host,
                         self._conn.compute.remove_host_from_aggregate,
                         aggregate_id, host)
