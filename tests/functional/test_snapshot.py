"""The collector against the real Nova and Placement, through openstacksdk."""

from tests.functional import base  # isort:skip  (patches eventlet first)

import datetime
import io
import json
import os

import fixtures

from nova_lb.cmd import admin
from nova_lb import exception
from nova_lb.cloud import collector
from nova_lb.model import snapshot


class TestSnapshot(base.NovaLBTestCase):

    def setUp(self):
        super().setUp()
        # A skewed load of two flavors, with one finished live migration.
        self.boot_skewed({'host1': 3, 'host2': 1}, vcpus=2, memory_mb=2048,
                         disk_gb=20)
        moved = self.boot_on('host4', vcpus=4, memory_mb=4096, disk_gb=40)
        self.admin_api.post_server_action(moved['id'], {
            'os-migrateLive': {'host': 'host3', 'block_migration': 'auto'}})
        self.migration = self.wait_for_migration_done(moved['id'])
        for i in range(3):
            self.admin_api.post_server_groups(
                {'name': 'group%d' % i, 'policy': 'anti-affinity'})
        # What Nova and Placement hold, read before paging is made small.
        self.expected_servers = {s['id']: s for s in self.servers()}
        self.expected_providers = {
            rp['uuid'] for rp in self.placement_get(
                '/resource_providers')['resource_providers']}

    def _collect(self, max_limit):
        # Pages of two items: servers, hypervisors, migrations and server
        # groups all need several pages.
        self.flags(max_limit=max_limit, group='api')
        before = datetime.datetime.now(datetime.timezone.utc)
        doc = collector.collect(self.cloud_client())
        taken_at = datetime.datetime.strptime(
            doc['taken_at'], '%Y-%m-%dT%H:%M:%SZ').replace(
                tzinfo=datetime.timezone.utc)
        self.assertLessEqual(before.replace(microsecond=0), taken_at)
        # Plain JSON data, nothing from openstacksdk.
        self.assertEqual(doc, json.loads(json.dumps(doc)))
        return doc

    def test_snapshot_matches_cloud(self):
        doc = self._collect(max_limit=2)
        compute, placement = doc['compute'], doc['placement']
        self.assertEqual('nova-lb-snapshot/1', doc['format'])

        # Every item of every paged list, once, and no page links left.
        servers = compute['servers']['servers']
        self.assertEqual(sorted(self.expected_servers),
                         sorted(s['id'] for s in servers))
        self.assertNotIn('servers_links', compute['servers'])
        hypervisors = compute['hypervisors']['hypervisors']
        self.assertEqual(sorted(h.name for h in self.hosts),
                         sorted(h['hypervisor_hostname']
                                for h in hypervisors))
        self.assertNotIn('hypervisors_links', compute['hypervisors'])
        self.assertEqual(
            ['group0', 'group1', 'group2'],
            sorted(g['name'] for g in compute['server_groups']
                   ['server_groups']))
        self.assertIn(self.migration['uuid'], [
            m['uuid'] for m in compute['migrations']['migrations']])
        self.assertEqual(sorted(h.name for h in self.hosts),
                         sorted(s['host'] for s in compute['services']
                                ['services']))

        # Placement: every provider, with the sizes each host was given.
        self.assertEqual(self.expected_providers, set(placement['providers']))
        self.assertEqual(self.expected_providers, {
            rp['uuid'] for rp in
            placement['resource_providers']['resource_providers']})
        rp_of = {h['service']['host']: h['id'] for h in hypervisors}
        for host in self.hosts:
            inventories = placement['providers'][rp_of[host.name]][
                'inventories']['inventories']
            self.assertEqual(
                (host.vcpus, host.memory_mb, host.disk_gb),
                tuple(inventories[rc]['total']
                      for rc in ('VCPU', 'MEMORY_MB', 'DISK_GB')))

        # Each server is on the host Nova says, allocated its flavor.
        for server in servers:
            host = server['OS-EXT-SRV-ATTR:host']
            self.assertEqual(
                self.expected_servers[server['id']]['OS-EXT-SRV-ATTR:host'],
                host)
            flavor = server['flavor']
            allocations = placement['providers'][rp_of[host]][
                'allocations']['allocations']
            self.assertEqual(
                {'VCPU': flavor['vcpus'], 'MEMORY_MB': flavor['ram'],
                 'DISK_GB': flavor['disk']},
                allocations[server['id']]['resources'])
        self.assertEqual(
            {'host1': 3, 'host2': 1, 'host3': 1},
            {h: sum(s['OS-EXT-SRV-ATTR:host'] == h for s in servers)
             for h in ('host1', 'host2', 'host3')})

        # The snapshot loader accepts it and sees the same cloud.
        parsed = snapshot.parse(doc, 'collected')
        self.assertEqual(set(self.expected_servers),
                         {s.uuid for s in parsed.servers})
        self.assertEqual({h.name for h in self.hosts}, set(parsed.services))
        self.assertEqual((), parsed.migrations)

    def test_paging_changes_nothing(self):
        paged = self._collect(max_limit=1)
        # One page per item, then an empty one: Nova's request log shows
        # every page was asked for with the marker of the previous one.
        requests = self.stdlog.logger.output
        for path, items in (('servers/detail?all_tenants=1&', 'servers'),
                            ('os-hypervisors/detail?', 'hypervisors')):
            self.assertEqual(
                len(paged['compute'][items][items]),
                requests.count('"GET /v2.1/%smarker=' % path), items)
        self.assertIn('"GET /v2.1/os-server-groups?all_projects=True&offset=3"',
                      requests)
        whole = self._collect(max_limit=1000)
        for key in ('servers', 'hypervisors', 'server_groups', 'migrations'):
            self.assertEqual(whole['compute'][key], paged['compute'][key],
                             key)

    def test_snapshot_command(self):
        """``nova-lb snapshot`` with the cloud named in clouds.yaml."""
        self.use_clouds_yaml('harness')
        tmp = self.useFixture(fixtures.TempDir())
        out = tmp.join('snapshot.json')
        stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value

        def snapshot_command(cloud):
            conf = tmp.join('nova-lb.conf')
            with open(conf, 'w') as f:
                f.write('[rebalancer]\ncloud = %s\n' % cloud)
            return admin.main(
                ['--config-file', conf, 'snapshot', '--output', out])

        self.assertEqual(1, snapshot_command('elsewhere'))
        self.assertEqual(
            "nova-lb: error: cannot connect to cloud 'elsewhere': "
            "Cloud elsewhere was not found.\n", stderr.getvalue())
        self.assertFalse(os.path.exists(out))

        stderr.truncate(0)
        stderr.seek(0)
        self.assertEqual(0, snapshot_command('harness'))
        parsed = snapshot.load(out)
        self.assertEqual(set(self.expected_servers),
                         {s.uuid for s in parsed.servers})
        self.assertRegex(
            stderr.getvalue(),
            r'^snapshot taken at \S+Z: 4 hosts, 5 servers, 4 resource '
            r'providers\n$')


class TestSnapshotRefused(base.NovaLBTestCase):

    hosts = (base.Host('host1', 4, 4096, 40),)

    def test_refused_call_is_one_line(self):
        """A member, not admin, may not list every project's servers."""
        member = self.make_sdk(user='demo', roles='reader,member')
        e = self.assertRaises(exception.CloudError, collector.collect,
                              self.cloud_client(member))
        self.assertEqual('compute GET /servers/detail failed: 403 Forbidden',
                         str(e))
