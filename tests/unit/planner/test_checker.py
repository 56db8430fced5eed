"""The independent plan checker catches each kind of violation.

Plans are made by hand against tests/fixtures/snapshots/small.json (h1, h2
and h6 in az1, h3-h5 in az2; h4 disabled, h5 down, h6 in aggregate
'drain'); see tests/unit/model/test_build.py for its numbers.
"""

import testtools

from nova_lb.conf import planner
from nova_lb.model import snapshot
from nova_lb.planner import checker
from tests.unit.model import test_snapshot


def S(n):
    return 'aaaaaaaa-0000-4000-8000-%012d' % n


def plan(*moves):
    return {'format': 'nova-lb-plan/1', 'migrations': [
        {'server': S(n) if isinstance(n, int) else n, 'source': source,
         'destination': dest, 'wave': wave}
        for n, source, dest, wave in moves]}


def small(edit=None, tight=False):
    """small.json, without h3's 50 % memory ceiling unless ``tight``."""
    doc = test_snapshot.small_document()
    if not tight:
        doc['compute']['aggregates']['aggregates'][3]['metadata'] = {}
    if edit:
        edit(doc)
    return snapshot.parse(doc)


def service(host, **values):
    def edit(doc):
        for svc in doc['compute']['services']['services']:
            if svc['host'] == host:
                svc.update(values)
    return edit


class CheckerTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.snap = small()

    def check(self, the_plan, snap=None, **limits):
        return checker.check(snap or self.snap, the_plan,
                             checker.Limits(**limits))

    def assertKinds(self, expected, violations):
        self.assertEqual(expected, [v.kind for v in violations],
                         [v.message for v in violations])

    def test_valid_plan_passes(self):
        valid = plan((1, 'h1', 'h2', 0),
                     (10, 'h6', 'h1', 1),      # off the draining host
                     (11, 'h1', 'h2', 2),
                     (7, 'h4', 'h3', 2))       # off the disabled host
        self.assertEqual([], self.check(valid, draining_aggregate='drain'))

    def test_empty_plan_passes(self):
        self.assertEqual([], self.check(plan()))

    def test_snapshot_document_accepted(self):
        doc = test_snapshot.small_document()
        self.assertEqual([], checker.check(doc, plan((1, 'h1', 'h2', 0))))

    def test_not_a_plan(self):
        self.assertKinds(['format'], self.check({'format': 'x/1'}))
        self.assertKinds(['format'], self.check([]))

    def test_malformed_migration(self):
        bad = plan((1, 'h1', 'h2', 0))
        bad['migrations'].append({'server': S(2), 'source': 'h1'})
        self.assertKinds(['malformed'], self.check(bad))

    def test_waves_out_of_order(self):
        v = self.check(plan((1, 'h1', 'h2', 1), (7, 'h4', 'h3', 0)))
        self.assertKinds(['wave-order'], v)
        self.assertEqual('migration 1 is in wave 0 after a migration in '
                         'wave 1', v[0].message)

    def test_unknown_server(self):
        self.assertKinds(['unknown-server'],
                         self.check(plan(('nope', 'h1', 'h2', 0))))

    def test_wrong_source(self):
        v = self.check(plan((1, 'h6', 'h2', 0)))
        self.assertKinds(['wrong-source'], v)
        self.assertEqual('server %s is on h1 when wave 0 starts, not on the '
                         'stated source h6' % S(1), v[0].message)

    def test_wrong_source_after_an_earlier_wave(self):
        v = self.check(plan((1, 'h1', 'h2', 0), (1, 'h1', 'h6', 1)))
        self.assertKinds(['wrong-source'], v)
        self.assertEqual(1, v[0].wave)

    def test_servers_that_may_not_move(self):
        v = self.check(plan((3, 'h1', 'h2', 0),     # SHUTOFF
                            (4, 'h2', 'h1', 1),     # opted out
                            (8, 'h5', 'h3', 2),     # host down
                            (11, 'h1', 'h2', 3),    # project excluded
                            (6, 'h3', 'h4', 4)),    # migrating
                       scope=planner.Scope(projects=frozenset(['p-excluded'])))
        not_movable = [x for x in v if x.kind == 'not-movable']
        self.assertEqual([S(3), S(4), S(8), S(11), S(6)],
                         [x.server for x in not_movable])
        self.assertIn('status SHUTOFF', not_movable[0].message)
        self.assertIn('opted out by metadata nova_lb:movable=false',
                      not_movable[1].message)
        self.assertIn('its host h5 is down', not_movable[2].message)
        self.assertIn('project p-excluded is excluded',
                      not_movable[3].message)
        self.assertIn('status MIGRATING; task migrating in progress; a '
                      'migration of it is in flight', not_movable[4].message)

    def test_excluded_flavor_and_source_host(self):
        v = self.check(plan((12, 'h3', 'h6', 0), (1, 'h1', 'h2', 1)),
                       scope=planner.Scope(flavors=frozenset(['c1.legacy']),
                                           hosts=frozenset(['h1'])))
        messages = [x.message for x in v if x.kind == 'not-movable']
        self.assertIn('flavor c1.legacy is excluded', messages[0])
        self.assertIn('host h1 is excluded', messages[1])

    def test_unknown_destination(self):
        self.assertKinds(['unknown-destination'],
                         self.check(plan((1, 'h1', 'h9', 0))))

    def test_disabled_destination(self):
        snap = small(service('h2', status='disabled',
                             disabled_reason='repair'))
        v = self.check(plan((1, 'h1', 'h2', 0)), snap)
        self.assertKinds(['destination-disabled'], v)
        self.assertEqual('server %s: destination h2 is disabled (repair)'
                         % S(1), v[0].message)

    def test_down_destination(self):
        self.assertKinds(['destination-down'], self.check(
            plan((1, 'h1', 'h2', 0)), small(service('h2', state='down'))))

    def test_excluded_destination(self):
        for scope in (planner.Scope(hosts=frozenset(['h2'])),
                      planner.Scope(aggregates=frozenset(['drain']))):
            dest = 'h2' if scope.hosts else 'h6'
            self.assertKinds(['destination-excluded'], self.check(
                plan((1, 'h1', dest, 0)), scope=scope))

    def test_draining_destination(self):
        self.assertKinds(['destination-draining'], self.check(
            plan((1, 'h1', 'h6', 0)), draining_aggregate='drain'))

    def test_same_host(self):
        self.assertKinds(['same-host'], self.check(plan((1, 'h1', 'h1', 0))))

    def test_crossing_zones(self):
        v = self.check(plan((1, 'h1', 'h3', 0)))
        self.assertKinds(['cross-zone'], v)
        self.assertEqual('server %s: destination h3 is in availability zone '
                         'az2, the server in az1' % S(1), v[0].message)

    def test_over_capacity_with_aggregate_ceiling(self):
        # h3's aggregate caps memory at 50 %: 8192 of 16384 MB, and the
        # migration's and s12/s13's allocations already hold 10240.
        v = self.check(plan((7, 'h4', 'h3', 0)), small(tight=True))
        self.assertKinds(['over-capacity'], v)
        self.assertIn('h3 would hold 11264 MEMORY_MB', v[0].message)
        self.assertIn('over its limit 8192', v[0].message)

    def test_over_capacity_of_a_class_the_host_lacks(self):
        # s5 holds a vGPU; h1 has none (and s2 of s5's group is there).
        v = self.check(plan((5, 'h2', 'h1', 0)))
        self.assertKinds(['over-capacity', 'anti-affinity'], v)
        self.assertIn('1 VGPU', v[0].message)

    def test_sources_stay_charged_until_the_wave_ends(self):
        snap = small(lambda doc: doc['compute']['servers']['servers'][3][
            'metadata'].clear())                  # s4 may move
        # h2 holds 5 VCPU; a ceiling of 5.5/14 lets it take s1 (1 VCPU)
        # only once s4 (2 VCPU) has left.
        limits = dict(ceilings={'VCPU': 5.5 / 14}, per_host=2)
        swap = self.check(plan((4, 'h2', 'h1', 0), (1, 'h1', 'h2', 0)),
                          snap, **limits)
        self.assertKinds(['over-capacity'], swap)
        self.assertEqual(('h2', 0), (swap[0].host, swap[0].wave))
        self.assertEqual([], self.check(
            plan((4, 'h2', 'h1', 0), (1, 'h1', 'h2', 1)), snap, **limits))

    def test_per_host_concurrency(self):
        v = self.check(plan((1, 'h1', 'h2', 0), (11, 'h1', 'h2', 0)))
        self.assertKinds(['host-concurrency', 'host-concurrency'], v)
        self.assertEqual(['h1', 'h2'], [x.host for x in v])
        self.assertEqual([], self.check(
            plan((1, 'h1', 'h2', 0), (11, 'h1', 'h2', 0)), per_host=2))

    def test_per_wave_limit(self):
        moves = plan((1, 'h1', 'h2', 0), (7, 'h4', 'h3', 0))
        self.assertKinds(['wave-size'], self.check(moves, per_wave=1))
        self.assertEqual([], self.check(moves, per_wave=2))

    def test_moved_twice_in_a_wave(self):
        self.assertKinds(['moved-twice'], self.check(
            plan((1, 'h1', 'h2', 0), (1, 'h2', 'h1', 0)), per_host=2))

    def test_anti_affinity(self):
        # s2 and s5 are in 'g-anti'; s5 is on h2.
        v = self.check(plan((2, 'h1', 'h2', 0)))
        self.assertKinds(['anti-affinity'], v)
        self.assertEqual('during wave 0 host h2 would hold 2 members of '
                         'anti-affinity group g-anti (one leaving counts '
                         'until the wave ends), more than 1', v[0].message)

    def test_anti_affinity_member_leaving_in_the_same_wave(self):
        def no_vgpu(doc):
            doc['placement']['providers'][test_snapshot.GPU][
                'allocations']['allocations'].clear()
        snap = small(no_vgpu)
        # s5 leaves h2 while s2 arrives: Nova still sees s5 on h2.
        v = self.check(plan((5, 'h2', 'h6', 0), (2, 'h1', 'h2', 0)), snap,
                       per_host=2)
        self.assertKinds(['anti-affinity'], v)
        self.assertEqual((S(2), 'h2'), (v[0].server, v[0].host))
        self.assertEqual([], self.check(
            plan((5, 'h2', 'h6', 0), (2, 'h1', 'h2', 1)), snap))

    def test_anti_affinity_rule_allows_two_per_host(self):
        # 'g-anti-fixed' allows 2 per host; s4 is on h2.
        self.assertEqual([], self.check(plan((10, 'h6', 'h2', 0))))

    def test_affinity(self):
        snap = small(service('h4', status='enabled'))
        v = self.check(plan((12, 'h3', 'h4', 0)), snap)
        self.assertKinds(['affinity'], v)
        self.assertEqual('after wave 0 the affinity group g-aff is on h3, '
                         'h4', v[0].message)
        # Moving the whole group in one wave keeps it together.
        self.assertEqual([], self.check(
            plan((12, 'h3', 'h4', 0), (13, 'h3', 'h4', 0)), snap,
            per_host=2))

    def test_reports_every_violation(self):
        v = self.check(plan((1, 'h1', 'h3', 0), ('nope', 'h1', 'h2', 0),
                            (2, 'h1', 'h2', 1), (3, 'h1', 'h1', 2)))
        self.assertEqual(['cross-zone', 'unknown-server', 'anti-affinity',
                          'not-movable', 'same-host'], [x.kind for x in v])
