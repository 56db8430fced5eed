"""The model builder and the plan checker on a snapshot of a real cloud.

Nova 34 and Placement 16 run in process; the collector reads them through
openstacksdk exactly as in production. What the builder derives (capacity,
usage, who may move) is compared with what Placement and Nova report, and
a plan the checker accepts is carried out with real live migrations.
"""

from tests.functional import base  # isort:skip  (patches eventlet first)

from nova_lb.model import build
from nova_lb.cloud import collector
from nova_lb.model import snapshot
from nova_lb.planner import checker


class TestBuildFromRealCloud(base.NovaLBTestCase):

    hosts = base.NovaLBTestCase.hosts + (base.Host('host5', 8, 8192, 100),)

    def setUp(self):
        super().setUp()
        az1 = self._create_aggregate('az1', availability_zone='az1')
        for host in ('host1', 'host2', 'host4'):
            self.admin_api.add_host_to_aggregate(az1, host)
        drain = self._create_aggregate('nova-lb-draining')
        self.admin_api.add_host_to_aggregate(drain, 'host3')
        self.a = self.boot_on('host1', 2, 2048, 20, name='a')
        self.b = self.boot_on('host1', 2, 2048, 20, name='b')
        self.c = self.boot_on('host2', 1, 1024, 10, name='c')
        self.d = self.boot_on('host3', 4, 4096, 40, name='d')
        self.e = self.boot_on('host4', 1, 1024, 10, name='e')
        self.f = self.boot_on('host4', 2, 2048, 20, name='f')
        self.g = self.boot_on('host5', 1, 1024, 10, name='g')
        self.admin_api.post_server_metadata(self.e['id'],
                                            {'nova_lb:movable': 'false'})
        self._stop_server(self.f)
        services = {s['host']: s['id'] for s in
                    self.admin_api.get_services(binary='nova-compute')}
        self.admin_api.put_service(services['host2'], {
            'status': 'disabled', 'disabled_reason': 'repair'})
        self.admin_api.put_service_force_down(services['host5'], True)

    def _build(self):
        snap = snapshot.parse(collector.collect(self.cloud_client()),
                              'harness')
        return snap, build.build(snap, build.Options(
            draining_aggregate='nova-lb-draining'))

    def assert_matches_placement(self, cluster):
        for h, host in enumerate(cluster.hosts):
            inventories, usages = self.provider_state(host)
            for j, rc in enumerate(cluster.resource_classes):
                inv = inventories[rc]
                self.assertEqual(
                    int((inv['total'] - inv['reserved'])
                        * inv['allocation_ratio']),
                    cluster.capacity[h, j], '%s %s' % (host, rc))
                self.assertEqual(usages[rc], cluster.usage()[h, j],
                                 '%s %s' % (host, rc))

    def test_cluster_matches_the_cloud(self):
        snap, cluster = self._build()
        self.assertEqual(('host1', 'host2', 'host3', 'host4'), cluster.hosts)
        self.assertEqual([True, False, False, True],
                         cluster.accepts.tolist())
        self.assertEqual(('az1', 'az1', None, 'az1'), cluster.host_az)
        self.assert_matches_placement(cluster)
        self.assertEqual(
            sorted(s['id'] for s in (self.a, self.b, self.c, self.d)),
            sorted(cluster.servers))
        for server, size in ((self.a, [2, 2048, 20]),
                             (self.d, [4, 4096, 40])):
            row = cluster.servers.index(server['id'])
            self.assertEqual(size, cluster.demand[row].tolist())
        self.assertEqual({
            self.e['id']: 'opted out by metadata nova_lb:movable=false',
            self.f['id']: 'status SHUTOFF: only ACTIVE servers are '
                          'live-migrated',
            self.g['id']: 'nova-compute on host host5 is down',
        }, cluster.left_alone)

    def test_checked_plan_runs_on_nova(self):
        snap, cluster = self._build()
        moves = [(self.a, 'host1', 'host4', 0), (self.c, 'host2', 'host1', 1)]
        plan = {'format': 'nova-lb-plan/1', 'migrations': [
            {'server': s['id'], 'source': src, 'destination': dst,
             'wave': wave} for s, src, dst, wave in moves]}
        self.assertEqual([], checker.check(snap, plan, checker.Limits(
            draining_aggregate='nova-lb-draining')))
        bad = dict(plan, migrations=[dict(plan['migrations'][0],
                                          destination='host3')])
        self.assertEqual(['destination-draining', 'cross-zone'], [
            v.kind for v in checker.check(snap, bad, checker.Limits(
                draining_aggregate='nova-lb-draining'))])
        for server, _src, dst, _wave in moves:
            self._live_migrate(server, host=dst, api=self.admin_api)
        _snap, after = self._build()
        self.assert_matches_placement(after)
        for server, _src, dst, _wave in moves:
            row = after.servers.index(server['id'])
            self.assertEqual(dst, after.hosts[after.location[row]])
