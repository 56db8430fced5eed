"""Leftover allocations of failed moves, on a hand-made snapshot.

swapped.json (hosts h1-h4, 8 VCPUs each, every server 2 VCPUs):

* s1 is on h1, but its allocation is on h2 and its migration 1 (h1 -> h2,
  ``error``) still holds 2 VCPUs on h1: what Nova leaves when the source
  compute dies mid-migration;
* s6 is on h3 with allocations on h3 and h2, and no migration at all
  (without the leftover check it would look movable);
* migration 3 (s2, ``error``) holds nothing: no leftover;
* h1 is full (s2-s4 and migration 1), h2 at 6/8, h3 at 2/8, h4 empty.
"""

import json
import os

import testtools

from nova_lb.cmd.commands import plan as plan_cmd
from nova_lb.cmd.commands import status
from nova_lb.model import build
from nova_lb.model import leftovers
from nova_lb.model import snapshot
from nova_lb.planner import planner
from tests.unit.model import test_snapshot

SWAPPED = os.path.join(os.path.dirname(test_snapshot.SMALL), 'swapped.json')


def S(n):
    return 'aaaaaaaa-0000-4000-8000-%012d' % n


def M(n):
    return 'cccccccc-0000-4000-8000-%012d' % n


def _with_migration(n, source, destination, status, holder, resources):
    """swapped.json plus migration ``M(n)`` of server S(5), ended in
    ``status`` and still holding ``resources`` on host ``h<holder>``."""
    with open(SWAPPED) as f:
        doc = json.load(f)
    doc['compute']['migrations']['migrations'].append(dict(
        doc['compute']['migrations']['migrations'][0], id=n, uuid=M(n),
        instance_uuid=S(5), source_compute=source,
        dest_compute=destination, status=status))
    provider = doc['placement']['providers'][
        'bbbbbbbb-0000-4000-8000-%012d' % holder]
    provider['allocations']['allocations'][M(n)] = {'resources': resources}
    return snapshot.parse(doc)


class LeftoversTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.snap = snapshot.load(SWAPPED)

    def test_found_with_server_migration_and_hosts(self):
        found = leftovers.find(self.snap)
        self.assertEqual([(S(1), M(1), ('h1', 'h2')),
                          (S(6), None, ('h2', 'h3'))],
                         [(f.server, f.migration, f.hosts) for f in found])
        message = found[0].message
        for part in (S(1), M(1), 'is on h1 but its allocations are on h2',
                     '(h1 -> h2) ended error',
                     'still holds allocations on h1'):
            self.assertIn(part, message)
        self.assertIn('is on h3 but its allocations are on h2, h3',
                      found[1].message)

    def test_failed_migration_holding_allocations_on_its_destination(self):
        # What a RabbitMQ restart mid-migration left on the minicloud: the
        # server back on its source with its own allocation, the failed
        # migration still holding the destination's.
        snap = _with_migration(4, 'h2', 'h4', 'failed', 4, {
            'VCPU': 2, 'MEMORY_MB': 1024, 'DISK_GB': 20})
        found = {f.server: f for f in leftovers.find(snap)}
        self.assertEqual((M(4), ('h2', 'h4')),
                         (found[S(5)].migration, found[S(5)].hosts))
        self.assertIn('server %s is on h2; migration %s (h2 -> h4) ended '
                      'failed and still holds allocations on h4'
                      % (S(5), M(4)), found[S(5)].message)
        self.assertNotIn(S(5), build.build(snap).servers)

    def test_migration_in_flight_is_none_an_unknown_consumer_is_one(self):
        # small.json has a running migration: its swapped allocations are
        # how Nova runs every live migration, not a leftover. Its consumer
        # dddddddd-...1 on h2 is neither a server nor a migration.
        consumer = 'dddddddd-0000-4000-8000-000000000001'
        found, = leftovers.find(snapshot.load(test_snapshot.SMALL))
        self.assertEqual((consumer, None, ('h2',)),
                         (found.server, found.migration, found.hosts))
        self.assertEqual(
            'leftover allocations: consumer %s is no live server (deleted?) '
            'and no migration and still holds MEMORY_MB=512, VCPU=1 on h2; '
            'counted as used until removed with: openstack resource provider '
            'allocation delete %s' % (consumer, consumer), found.message)

    def test_completed_migration_still_holding_its_source(self):
        # What a Placement restart as a migration ends leaves: the server
        # on its destination, the migration's consumer on its source.
        snap = _with_migration(5, 'h4', 'h2', 'completed', 4, {'VCPU': 2})
        found = {f.server: f for f in leftovers.find(snap)}
        self.assertEqual((M(5), ('h4',)),
                         (found[S(5)].migration, found[S(5)].hosts))
        self.assertIn('migration %s of server %s (h4 -> h2) ended completed '
                      'and still holds VCPU=2 on h4' % (M(5), S(5)),
                      found[S(5)].message)
        # It fills h4 (off its limit) but is no load there, and its server
        # is not moved.
        c = build.build(snap)
        self.assertNotIn(S(5), c.servers)
        h4, vcpu = c.hosts.index('h4'), c.resource_classes.index('VCPU')
        self.assertEqual((0, 6), (c.fixed[h4][vcpu], c.limit[h4][vcpu]))

    def test_servers_stay_and_their_allocations_are_fixed_load(self):
        c = build.build(self.snap)
        found = leftovers.find(self.snap)
        self.assertEqual(found, c.leftovers)
        self.assertNotIn(S(1), c.servers)
        self.assertNotIn(S(6), c.servers)
        self.assertEqual(found[0].message, c.left_alone[S(1)])
        self.assertIn(S(2), c.servers)
        # The stale allocations fill their hosts: each host's room (limit
        # less usage) is what Placement leaves, 8 VCPUs less [8, 6, 2, 0].
        # But the load is where the servers run: s1 on h1 (migration 1's
        # claim there runs nothing, s1's own on h2 neither), s6 on h3 (its
        # allocation on h2 runs nothing).
        vcpu = c.resource_classes.index('VCPU')
        self.assertEqual([8, 2, 2, 0], c.usage()[:, vcpu].tolist())
        self.assertEqual([2, 0, 2, 0], c.fixed[:, vcpu].tolist())
        self.assertEqual([0, 2, 6, 8],
                         (c.limit - c.usage())[:, vcpu].tolist())

    def test_plan_never_builds_on_them_and_reports_them(self):
        result = planner.plan(self.snap)
        moves = [(m.server, m.source, m.destination)
                 for m in result.migrations]
        # h1 (full) gives servers away; the leftovers' servers stay.
        self.assertTrue(moves)
        self.assertIn('h1', {src for _, src, _ in moves})
        self.assertFalse({S(1), S(6)} & {s for s, _, _ in moves})
        self.assertEqual([S(1), S(6)],
                         [item['server'] for item in result.leftovers])
        document = result.to_json()
        self.assertEqual(document['leftovers'],
                         [f.to_json() for f in leftovers.find(self.snap)])
        table = plan_cmd.table(result)
        self.assertIn(result.leftovers[0]['message'], table)
        lines = status.describe_plan(document)
        self.assertIn('  ' + result.leftovers[1]['message'], lines)
