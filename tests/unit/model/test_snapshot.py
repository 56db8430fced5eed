import copy
import json
import os
import tempfile

import testtools

from nova_lb import exception
from nova_lb.model import snapshot

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures',
                        'snapshots')
SMALL = os.path.join(FIXTURES, 'small.json')
RP1 = 'bbbbbbbb-0000-4000-8000-000000000001'
RP2 = 'bbbbbbbb-0000-4000-8000-000000000002'
GPU = 'bbbbbbbb-0000-4000-8000-000000000021'


def small_document():
    with open(SMALL) as f:
        return json.load(f)


class LoadTest(testtools.TestCase):

    def test_small_fixture(self):
        snap = snapshot.load(SMALL)
        self.assertEqual('small.json', snap.source)
        self.assertEqual(14, len(snap.servers))
        self.assertEqual(7, len(snap.providers))
        # The scheduler's service is not a compute host.
        self.assertEqual({'h1', 'h2', 'h3', 'h4', 'h5', 'h6'},
                         set(snap.services))
        self.assertEqual((RP2, GPU), snap.host_providers['h2'])
        s4 = snap.servers[snap.server_index[
            'aaaaaaaa-0000-4000-8000-000000000004']]
        self.assertEqual(('h2', 'ACTIVE', 'm1.medium', 'false'),
                         (s4.host, s4.status, s4.flavor_name,
                          s4.metadata['nova_lb:movable']))
        inv = snap.providers[RP2].inventories['MEMORY_MB']
        self.assertEqual((32768, 512, 1.5),
                         (inv.total, inv.reserved, inv.allocation_ratio))
        # Only the migration still in flight is kept.
        self.assertEqual(['running'], [m.status for m in snap.migrations])
        self.assertEqual({'h1': 'az1', 'h2': 'az1', 'h3': 'az2', 'h4': 'az2',
                          'h5': 'az2', 'h6': 'az1'}, snap.host_zones())

    def test_parsed_form_is_read_only(self):
        snap = snapshot.load(SMALL)
        def assign(mapping, key):
            mapping[key] = None

        self.assertRaises(TypeError, assign, snap.providers, 'x')
        self.assertRaises(TypeError, assign,
                          snap.providers[RP1].allocations, 'x')
        self.assertRaises(AttributeError, setattr, snap.servers[0], 'host',
                          'h9')

    def test_not_json(self):
        with tempfile.NamedTemporaryFile('w', suffix='.json') as f:
            f.write('{"format": ')
            f.flush()
            e = self.assertRaises(exception.BadSnapshot, snapshot.load,
                                  f.name)
        self.assertIn('not JSON', str(e))
        self.assertEqual(exception.EXIT_BAD_INPUT, e.exit_code)

    def test_missing_file(self):
        e = self.assertRaises(exception.BadSnapshot, snapshot.load,
                              '/nonexistent/snap.json')
        self.assertEqual('/nonexistent/snap.json: cannot read: No such file '
                         'or directory', str(e))


class BadSnapshotTest(testtools.TestCase):
    """Each problem is one line naming the file and the JSON path."""

    def assertBad(self, message, doc):
        e = self.assertRaises(exception.BadSnapshot, snapshot.parse, doc,
                              'snap.json')
        self.assertEqual('snap.json: ' + message, str(e))
        self.assertNotIn('\n', str(e))
        self.assertEqual(2, e.exit_code)

    def setUp(self):
        super().setUp()
        self.doc = small_document()

    def test_unknown_format(self):
        self.doc['format'] = 'foo/2'
        self.assertBad("unknown format 'foo/2', expected "
                       "'nova-lb-snapshot/1'", self.doc)

    def test_not_an_object(self):
        self.assertBad('(top level): expected an object, got list', [])

    def test_missing_section(self):
        del self.doc['compute']['hypervisors']
        self.assertBad("compute: missing key 'hypervisors'", self.doc)

    def test_server_missing_flavor(self):
        del self.doc['compute']['servers']['servers'][3]['flavor']
        self.assertBad("compute.servers.servers[3]: missing key 'flavor'",
                       self.doc)

    def test_server_wrong_type(self):
        self.doc['compute']['servers']['servers'][1]['metadata'] = []
        self.assertBad('compute.servers.servers[1].metadata: expected an '
                       'object, got list', self.doc)

    def test_flavor_from_an_old_microversion(self):
        self.doc['compute']['servers']['servers'][2]['flavor'] = {
            'id': '3', 'links': []}
        self.assertBad('compute.servers.servers[2].flavor: no original_name; '
                       'take the snapshot at compute microversion 2.47 or '
                       'later', self.doc)

    def test_server_whose_flavor_nova_lost(self):
        # Nova shows {} when an instance's flavor is gone from its database.
        self.doc['compute']['servers']['servers'][2]['flavor'] = {}
        snap = snapshot.parse(self.doc)
        self.assertIsNone(snap.servers[2].flavor_name)

    def test_missing_admin_attributes(self):
        # A snapshot taken without admin rights has no host attribute.
        del self.doc['compute']['servers']['servers'][0][
            'OS-EXT-SRV-ATTR:host']
        self.assertBad("compute.servers.servers[0]: missing key "
                       "'OS-EXT-SRV-ATTR:host'", self.doc)

    def test_inventory_total_not_a_number(self):
        self.doc['placement']['providers'][RP1]['inventories'][
            'inventories']['VCPU']['total'] = '16'
        self.assertBad('placement.providers.%s.inventories.inventories.VCPU'
                       '.total: expected a number, got string' % RP1,
                       self.doc)

    def test_allocation_on_unlisted_provider(self):
        providers = self.doc['placement']['providers']
        providers['99999999-0000-4000-8000-000000000000'] = providers[RP1]
        self.assertBad('placement.providers.99999999-0000-4000-8000-'
                       '000000000000: provider not in '
                       'placement.resource_providers', self.doc)

    def test_listed_provider_without_details(self):
        del self.doc['placement']['providers'][GPU]
        self.assertBad('placement.providers: no entry for provider %s '
                       '(h2.example_pgpu_0000)' % GPU, self.doc)

    def test_usage_of_class_without_inventory(self):
        del self.doc['placement']['providers'][RP1]['inventories'][
            'inventories']['DISK_GB']
        e = self.assertRaises(exception.BadSnapshot, snapshot.parse,
                              self.doc, 'snap.json')
        self.assertRegex(str(e), r'^snap.json: placement.providers.%s'
                         r'.allocations.allocations.[-0-9a-f]+: uses DISK_GB '
                         r'but the provider has no DISK_GB inventory$' % RP1)

    def test_server_on_host_without_hypervisor(self):
        self.doc['compute']['servers']['servers'][0][
            'OS-EXT-SRV-ATTR:host'] = 'h9'
        self.assertBad('compute.servers.servers[0]: server aaaaaaaa-0000-'
                       "4000-8000-000000000001 is on host 'h9', which has no "
                       'hypervisor in compute.hypervisors', self.doc)

    def test_server_listed_twice(self):
        servers = self.doc['compute']['servers']['servers']
        servers.append(dict(servers[1]))
        self.assertBad('compute.servers.servers[14]: server aaaaaaaa-0000-'
                       '4000-8000-000000000002 is also at [1]', self.doc)

    def test_hypervisor_without_provider(self):
        hvs = self.doc['compute']['hypervisors']['hypervisors']
        hvs[0]['id'] = '99999999-0000-4000-8000-000000000000'
        self.assertBad("compute.hypervisors.hypervisors[0]: hypervisor "
                       "99999999-0000-4000-8000-000000000000 of host 'h1' "
                       "is not in placement.resource_providers", self.doc)

    def test_bad_service_state(self):
        self.doc['compute']['services']['services'][0]['state'] = 'sleepy'
        self.assertBad("compute.services.services[0]: status/state must be "
                       "enabled|disabled and up|down, not 'enabled'/'sleepy'",
                       self.doc)

    def test_unknown_group_policy(self):
        groups = self.doc['compute']['server_groups']['server_groups']
        groups[0]['policy'] = 'together'
        self.assertBad("compute.server_groups.server_groups[0]: unknown "
                       "policy 'together' (microversion 2.64 or later has "
                       "one of affinity, anti-affinity, soft-affinity, "
                       "soft-anti-affinity)", self.doc)

    def test_migrations_are_optional(self):
        del self.doc['compute']['migrations']
        self.assertEqual((), snapshot.parse(copy.deepcopy(self.doc))
                         .migrations)
