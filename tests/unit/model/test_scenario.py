import collections
import json
import os

import fixtures
import testtools

from nova_lb.cmd import admin

from nova_lb.model import cost
from nova_lb.model import leftovers
from nova_lb.model import snapshot
from nova_lb import scenario


def host_usage(snap):
    """host -> {rc: (used, capacity)} straight from the Placement bodies."""
    result = {}
    for host, rps in snap.host_providers.items():
        used, cap = collections.Counter(), collections.Counter()
        for rp in rps:
            provider = snap.providers[rp]
            for resources in provider.allocations.values():
                used.update(resources)
            for rc, inv in provider.inventories.items():
                cap[rc] += float(cost.capacity(inv.total, inv.reserved,
                                               inv.allocation_ratio))
        result[host] = {rc: (used[rc], cap[rc]) for rc in cap}
    return result


class ScenarioTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc = scenario.generate(60, 1200, seed=7)
        cls.snap = snapshot.parse(cls.doc, 'generated')

    def test_same_seed_same_document(self):
        again = scenario.generate(60, 1200, seed=7)
        self.assertEqual(json.dumps(self.doc, sort_keys=True),
                         json.dumps(again, sort_keys=True))
        other = scenario.generate(60, 1200, seed=8)
        self.assertNotEqual(json.dumps(self.doc, sort_keys=True),
                            json.dumps(other, sort_keys=True))

    def test_no_host_starts_over_capacity(self):
        for host, usage in host_usage(self.snap).items():
            for rc, (used, cap) in usage.items():
                self.assertLessEqual(used, cap, '%s %s' % (host, rc))

    def test_load_is_skewed(self):
        peaks = [max(used / cap for used, cap in usage.values())
                 for usage in host_usage(self.snap).values()]
        self.assertGreater(max(peaks), 0.9)
        self.assertLess(min(peaks), 0.3)

    def test_hosts_are_heterogeneous(self):
        invs = [self.snap.providers[rp].inventories
                for rp in self.snap.host_providers.values() for rp in rp]
        self.assertGreater(len({i['VCPU'].total for i in invs}), 2)
        self.assertGreater(len({i['VCPU'].allocation_ratio for i in invs}), 2)
        self.assertGreater(len({i['MEMORY_MB'].allocation_ratio
                                for i in invs}), 1)
        self.assertGreater(len({i['MEMORY_MB'].reserved for i in invs}), 2)

    def test_flavor_mix_favours_small_flavors(self):
        names = collections.Counter(s.flavor_name for s in self.snap.servers)
        self.assertGreater(len(names), 8)
        self.assertGreater(names['m1.small'], names['r1.2xlarge'])
        self.assertGreater(names['m1.small'], names['c1.2xlarge'])

    def test_two_zones_from_aggregates(self):
        zones = self.snap.host_zones()
        self.assertEqual({'az1', 'az2'}, set(zones.values()))
        for body in self.doc['compute']['servers']['servers']:
            self.assertEqual(zones[body['OS-EXT-SRV-ATTR:host']],
                             body['OS-EXT-AZ:availability_zone'])

    def test_disabled_and_down_hosts(self):
        services = self.snap.services.values()
        self.assertTrue(any(not s.enabled and s.up for s in services))
        self.assertEqual(1, sum(not s.up for s in services))

    def test_server_states(self):
        states = collections.Counter(s.status for s in self.snap.servers)
        self.assertGreater(states['SHUTOFF'], 0)
        self.assertGreater(states['ERROR'], 0)
        self.assertEqual(1, states['MIGRATING'])
        opted = [s for s in self.snap.servers
                 if s.metadata.get('nova_lb:movable') == 'false']
        self.assertEqual(1, len(opted))

    def test_migration_holds_source_and_destination(self):
        (mig,) = self.snap.migrations
        server = self.snap.servers[self.snap.server_index[mig.server]]
        self.assertEqual(('MIGRATING', 'migrating', mig.source),
                         (server.status, server.task_state, server.host))
        (source,) = self.snap.host_providers[mig.source]
        (dest,) = self.snap.host_providers[mig.destination]
        self.assertIn(mig.uuid, self.snap.providers[source].allocations)
        self.assertNotIn(mig.server, self.snap.providers[source].allocations)
        self.assertIn(mig.server, self.snap.providers[dest].allocations)
        zones = self.snap.host_zones()
        self.assertEqual(zones[mig.source], zones[mig.destination])

    def test_server_groups_hold_at_the_start(self):
        policies = collections.Counter()
        seen = set()
        for group in self.snap.server_groups:
            policies[group.policy] += 1
            members = [self.snap.servers[self.snap.server_index[m]]
                       for m in group.members]
            self.assertFalse(seen & set(group.members))
            seen |= set(group.members)
            self.assertEqual(1, len({m.project for m in members}))
            per_host = collections.Counter(m.host for m in members)
            if group.policy == 'anti-affinity':
                limit = group.rules.get('max_server_per_host', 1)
                self.assertLessEqual(max(per_host.values()), limit)
            if group.policy == 'affinity':
                self.assertEqual(1, len(per_host))
        self.assertEqual({'anti-affinity', 'affinity', 'soft-affinity',
                          'soft-anti-affinity'}, set(policies))
        self.assertTrue(any(g.rules for g in self.snap.server_groups))

    def test_tiny_clouds_are_valid_too(self):
        for hosts, servers in ((3, 50), (4, 60), (10, 300)):
            for seed in range(4):
                snap = snapshot.parse(scenario.generate(hosts, servers, seed))
                for usage in host_usage(snap).values():
                    for used, cap in usage.values():
                        self.assertLessEqual(used, cap)

    def test_too_many_servers(self):
        self.assertRaisesRegex(ValueError, 'do not fit on 3 hosts',
                               scenario.generate, 3, 2000)


class GenerateCommandTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.err = self.useFixture(fixtures.StringStream('stderr')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.err))

    def test_writes_a_loadable_snapshot(self):
        path = os.path.join(self.dir, 'cloud.json')
        rc = admin.main(['generate', '--hosts', '8', '--servers', '80',
                           '--seed', '3', '--output', path])
        self.assertEqual(0, rc)
        snap = snapshot.load(path)
        self.assertEqual((8, 80), (len(snap.services), len(snap.servers)))
        with open(path) as f:
            self.assertEqual(scenario.generate(8, 80, 3), json.load(f))
        self.assertEqual(['cloud.json'], os.listdir(self.dir))

    def test_bad_size_is_one_line_and_exit_2(self):
        path = os.path.join(self.dir, 'cloud.json')
        rc = admin.main(['generate', '--hosts', '3', '--servers', '5000',
                           '--output', path])
        self.assertEqual(2, rc)
        self.err.seek(0)
        self.assertEqual('nova-lb: error: --hosts/--servers: 5000 servers '
                         'do not fit on 3 hosts (at most 604 would); use '
                         'more hosts\n',
                         self.err.read())
        self.assertEqual([], os.listdir(self.dir))


class LeakedProfileTest(testtools.TestCase):
    """The ``leaked`` profile: servers deleted with their allocations left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc = scenario.generate(20, 300, seed=3, profile='leaked')
        cls.snap = snapshot.parse(cls.doc, 'generated')

    def test_leftovers_are_found_and_fit(self):
        orphans = {consumer for (consumer, _), runs_on
                   in leftovers.misplaced(self.snap).items()
                   if runs_on is None}
        completed = {m['uuid'] for m in
                     self.doc['compute']['migrations']['migrations']
                     if m['status'] == 'completed'}
        # 20 per 1,000 of 300 servers: 6, half of them under a completed
        # migration's UUID, the rest under a deleted server's.
        self.assertEqual(6, len(orphans))
        self.assertEqual(3, len(orphans & completed))
        live = {s.uuid for s in self.snap.servers}
        self.assertEqual(set(), orphans & live)
        for host, usage in host_usage(self.snap).items():
            for rc, (used, cap) in usage.items():
                self.assertLessEqual(used, cap, '%s %s' % (host, rc))

    def test_other_profiles_are_unchanged(self):
        # The leaks draw from the generator only where the profile asks
        # for them, so every other profile's documents stay as they were.
        doc = scenario.generate(20, 300, seed=3)
        self.assertEqual(
            [], [m for m in doc['compute']['migrations']['migrations']
                 if m['status'] == 'completed'])
        self.assertEqual(300, len(doc['compute']['servers']['servers']))
