"""A real in-process cloud for nova-lb's functional tests.

Nova's own functional harness runs the real nova-api, conductor, scheduler
and fake-driver computes against the real Placement on SQLite. This base
class adds what nova-lb needs on top of it:

* compute hosts of different sizes, because balancing identical hosts
  proves little;
* optionally this project's filters and weighers inside nova-scheduler;
* ``self.sdk``: a real openstacksdk ``Connection`` to that Nova and
  Placement, so the rebalancer's collector and executor run exactly the
  code path they run against a production cloud;
* checks of the invariants every test of a rebalancing cares about.

See /work/shared/notes/nova-test-harness.md for the snags fixed here.
"""

# Nova's functional package monkey-patches eventlet on import: it must come
# before anything that creates threads or sockets.
import nova.tests.functional  # noqa: F401  isort:skip

import collections
import json
import sysconfig
import time
from unittest import mock
import weakref

import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from oslo_utils import importutils
import openstack
import openstack.connection
from openstack import proxy as sdk_proxy
from openstack import service_description

from nova.api import auth
from nova.tests.functional import integrated_helpers

from nova_lb.cloud import client as client_mod
from nova_lb.cloud import retry
from nova_lb.model import cost

# Nova's OpenStackSDKFixture stubs these two for every test. Keep the real
# ones, taken before any test starts, for our own connections.
_REAL_GET_ENDPOINT = sdk_proxy.Proxy.get_endpoint
_REAL_MAKE_PROXY = service_description.ServiceDescription._make_proxy
#: Connections made by this harness: the only ones given the real functions.
_OUR_CONNECTIONS = weakref.WeakSet()

#: The wheel installs api-paste.ini under the data path, not site-packages.
API_PASTE_CONFIG = sysconfig.get_path('data') + '/etc/nova/api-paste.ini'

Host = collections.namedtuple('Host', 'name vcpus memory_mb disk_gb')

#: Migration states after which Nova does nothing more with a migration.
MIGRATION_FAILED = ('error', 'failed', 'cancelled')


class NovaLBTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """Nova + Placement in process, heterogeneous hosts, real openstacksdk.

    Subclasses set class attributes; ``setUp`` starts one compute per entry
    of ``hosts``.
    """

    compute_driver = 'fake.MediumFakeDriver'

    #: The compute hosts, started in this order with these sizes.
    hosts = (
        Host('host1', 8, 16384, 200),
        Host('host2', 16, 32768, 400),
        Host('host3', 16, 16384, 400),
        Host('host4', 32, 65536, 800),
    )
    #: Load nova_lb's filters and weighers into nova-scheduler next to
    #: Nova's own (only what ``enabled_filters`` names is run).
    use_nova_lb_plugin = False
    #: ``[filter_scheduler] enabled_filters``; None keeps Nova's default.
    enabled_filters = None

    def setUp(self):
        self.flags(api_paste_config=API_PASTE_CONFIG, group='wsgi')
        self._configure_scheduler()
        super().setUp()
        self._restore_real_sdk()
        self._accept_admin_token()
        self.flavors = {}
        for host in self.hosts:
            self.start_sized_compute(host)
        self.sdk = self.make_sdk()

    def _clear_attrs(self):
        # Nova's cleanup deletes public attributes, including the test
        # method pytest keeps on the instance; pytest then reports an error.
        method = self.__dict__.get(self._testMethodName)
        super()._clear_attrs()
        if method is not None:
            self.__dict__[self._testMethodName] = method

    def _configure_scheduler(self):
        group = 'filter_scheduler'
        if self.use_nova_lb_plugin:
            self.flags(group=group, available_filters=[
                'nova.scheduler.filters.all_filters',
                'nova_lb.scheduler.filters.all_filters'])
            self.flags(group=group, weight_classes=[
                'nova.scheduler.weights.all_weighers',
                'nova_lb.scheduler.weighers.all_weighers'])
        if self.enabled_filters is not None:
            self.flags(group=group, enabled_filters=self.enabled_filters)

    # -- hosts and servers ------------------------------------------------

    def start_sized_compute(self, host):
        """Start a compute whose fake driver reports ``host``'s sizes.

        The fake drivers take their sizes from class attributes; they are
        patched while the service starts (its first inventory report) and
        then pinned on the driver instance for every later report.
        """
        driver_class = importutils.import_class(
            'nova.virt.' + self.compute_driver)
        sizes = {'vcpus': host.vcpus, 'memory_mb': host.memory_mb,
                 'local_gb': host.disk_gb}
        with mock.patch.multiple(driver_class, **sizes):
            compute = self._start_compute(host.name)
        for name, value in sizes.items():
            setattr(compute.driver, name, value)
        return compute

    def flavor(self, vcpus, memory_mb, disk_gb):
        """The id of a flavor of this size, created on first use."""
        key = (vcpus, memory_mb, disk_gb)
        if key not in self.flavors:
            self.flavors[key] = self._create_flavor(
                name='f%d-%d-%d' % key, vcpu=vcpus, memory_mb=memory_mb,
                disk=disk_gb, ephemeral=0, swap=0)
        return self.flavors[key]

    def boot_on(self, host, vcpus=1, memory_mb=1024, disk_gb=10,
                force=False, name=None):
        """Boot an ACTIVE server on ``host`` and return its API body.

        By default the host is a requested destination (API >= 2.74
        ``host``), which the scheduler's filters still check, as for an
        admin's request. ``force=True`` forces it with the availability
        zone ``nova:<host>``, bypassing the filters: the way to build a skew
        that this project's filters would refuse.
        """
        flavor_id = self.flavor(vcpus, memory_mb, disk_gb)
        if force:
            server = self._create_server(
                name=name, flavor_id=flavor_id, networks='none',
                az='nova:%s' % host)
        else:
            server = self._create_server(
                name=name, flavor_id=flavor_id, networks='none', host=host)
        self.assertEqual(host, server['OS-EXT-SRV-ATTR:host'])
        return server

    def boot_skewed(self, counts, **size):
        """Boot ``counts[host]`` servers of one size on each host."""
        return [self.boot_on(host, force=True, **size)
                for host, count in counts.items() for _ in range(count)]

    # -- openstacksdk -----------------------------------------------------

    def cloud_client(self, conn=None):
        """A nova-lb cloud Client on ``conn`` (default ``self.sdk``)
        that tries each call once."""
        return client_mod.Client(conn or self.sdk, retry.Retrier(0, 0.0))

    def make_sdk(self, user='admin', roles='reader,member,admin'):
        """A real openstacksdk Connection to this harness's cloud.

        Nova's stub auth reads the ``X-Auth-*``/``X-Roles`` headers (the
        user ``admin`` is admin); Placement's no-auth reads the token as
        ``user[:project]``.
        """
        project = self.api_fixture.project_id
        session = ks_session.Session(
            auth=token_endpoint.Token(endpoint=None, token=user),
            additional_headers={
                'X-Auth-User': user, 'X-User-Id': user,
                'X-Auth-Project-Id': project, 'X-Roles': roles})
        conn = openstack.connection.Connection(
            session=session,
            compute_endpoint_override=self.api_fixture.base_url,
            placement_endpoint_override=self.placement.fixture.endpoint)
        _OUR_CONNECTIONS.add(conn)
        return conn

    def use_clouds_yaml(self, cloud='harness'):
        """Point ``OS_CLIENT_CONFIG_FILE`` at a clouds.yaml for this cloud.

        Code that connects like any OpenStack client (``openstack.connect``,
        e.g. ``nova_lb.cloud.client.connect``) then reaches this harness
        as admin, through the real openstacksdk. Returns the file's path.
        """
        path = self.useFixture(fixtures.TempDir()).join('clouds.yaml')
        with open(path, 'w') as f:
            json.dump({'clouds': {cloud: {
                'auth_type': 'admin_token',
                'auth': {'endpoint': self.api_fixture.base_url,
                         'token': 'admin'},
                'compute_endpoint_override': self.api_fixture.base_url,
                'placement_endpoint_override':
                    self.placement.fixture.endpoint}}}, f)
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', path))
        for name in ('OS_CLOUD', 'OS_AUTH_URL', 'OS_AUTH_TYPE'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        return path

    def _accept_admin_token(self):
        """Let Nova's stub auth take the token 'admin' as keystone would.

        Nova's stub reads the identity from ``X-Auth-*`` headers that
        keystonemiddleware would set; a client that only sends a token
        (any client made from clouds.yaml) gets the admin identity here.
        """
        stub = auth.NovaKeystoneContext._create_context
        identity = {'HTTP_X_AUTH_USER': 'admin',
                    'HTTP_X_AUTH_PROJECT_ID': self.api_fixture.project_id,
                    'HTTP_X_ROLES': 'reader,member,admin'}

        def create_context(env, **kwargs):
            if ('HTTP_X_AUTH_USER' not in env and
                    env.get('HTTP_X_AUTH_TOKEN') == 'admin'):
                env.update(identity)
            return stub(env, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.api.auth.NovaKeystoneContext._create_context',
            staticmethod(create_context)))

    def _restore_real_sdk(self):
        """Give our connections the real openstacksdk, Nova's the stubs."""
        stub_get_endpoint = sdk_proxy.Proxy.get_endpoint
        stub_make_proxy = service_description.ServiceDescription._make_proxy

        def get_endpoint(proxy, *args, **kwargs):
            if proxy._get_connection() in _OUR_CONNECTIONS:
                return _REAL_GET_ENDPOINT(proxy, *args, **kwargs)
            return stub_get_endpoint(*args, **kwargs)

        def make_proxy(description, instance):
            if instance in _OUR_CONNECTIONS:
                return _REAL_MAKE_PROXY(description, instance)
            return stub_make_proxy(description, instance)

        self.useFixture(fixtures.MonkeyPatch(
            'openstack.proxy.Proxy.get_endpoint', get_endpoint))
        self.useFixture(fixtures.MonkeyPatch(
            'openstack.service_description.ServiceDescription._make_proxy',
            make_proxy))
        # Connections made as an OpenStack client does are ours, too; Nova
        # builds its own with openstack.connection.Connection.
        real_connect = openstack.connect

        def connect(*args, **kwargs):
            conn = real_connect(*args, **kwargs)
            _OUR_CONNECTIONS.add(conn)
            return conn

        self.useFixture(fixtures.MonkeyPatch('openstack.connect', connect))

    # -- invariants -------------------------------------------------------

    def servers(self):
        """Every server of every project, as the admin API lists them."""
        return self.admin_api.api_get(
            '/servers/detail?all_tenants=1').body['servers']

    def provider_uuid(self, host):
        """The compute node resource provider of ``host``."""
        return self._get_provider_uuid_by_host(host)

    def provider_state(self, host):
        """``(inventories, usages)`` of ``host``'s provider, from Placement."""
        base = '/resource_providers/%s' % self.provider_uuid(host)
        return (self.placement_get(base + '/inventories')['inventories'],
                self.placement_get(base + '/usages')['usages'])

    def placement_get(self, url, version='1.39'):
        return self.placement.get(url, version=version).body

    def assert_servers_active(self):
        states = {s['id']: s['status'] for s in self.servers()}
        self.assertEqual({}, {k: v for k, v in states.items()
                              if v != 'ACTIVE'})

    def assert_usages_match_servers(self):
        """Each host's usage is exactly the allocations of its servers.

        A server's allocations must sit on its own host's provider only; a
        leftover (a migration's source allocation, a deleted server) shows
        as a usage its servers do not explain.
        """
        by_host = collections.defaultdict(list)
        for server in self.servers():
            by_host[server['OS-EXT-SRV-ATTR:host']].append(server['id'])
        for host in self.hosts:
            rp = self.provider_uuid(host.name)
            expected = collections.Counter()
            for server_id in by_host[host.name]:
                allocations = self.placement_get(
                    '/allocations/%s' % server_id)['allocations']
                self.assertEqual([rp], list(allocations),
                                 'allocations of server %s' % server_id)
                expected.update(allocations[rp]['resources'])
            usages = self.placement_get(
                '/resource_providers/%s/usages' % rp)['usages']
            self.assertEqual(
                dict(expected), {rc: n for rc, n in usages.items() if n},
                'usages of %s' % host.name)

    def assert_within_capacity(self):
        """No host uses more than ``(total - reserved) * ratio``."""
        for host in self.hosts:
            inventories, usages = self.provider_state(host.name)
            for rc, used in usages.items():
                inv = inventories[rc]
                capacity = cost.capacity(inv['total'], inv['reserved'],
                                         inv['allocation_ratio'])
                self.assertLessEqual(used, capacity,
                                     '%s of %s' % (rc, host.name))

    def wait_for_migration_done(self, server_id, expected='completed',
                                timeout=60.0):
        """Wait until the newest migration of a server ended; return it.

        Nova marks a live migration ``completed`` before it deletes the
        source allocation held by the migration's uuid, so "done" also
        means ``GET /allocations/{migration uuid}`` is empty.
        """
        deadline = time.monotonic() + timeout
        migration = None
        while time.monotonic() < deadline:
            migrations = [m for m in self.admin_api.api_get(
                '/os-migrations').body['migrations']
                if m['instance_uuid'] == server_id]
            migration = max(migrations, key=lambda m: m['id'],
                            default=None)
            status = migration and migration['status']
            if status in (expected,) + MIGRATION_FAILED + ('completed',):
                self.assertEqual(expected, status,
                                 'migration of server %s' % server_id)
                if not self.placement_get(
                        '/allocations/%s' % migration['uuid'])['allocations']:
                    return migration
            time.sleep(0.2)
        self.fail('migration of server %s not done after %ss: %s'
                  % (server_id, timeout, migration))
