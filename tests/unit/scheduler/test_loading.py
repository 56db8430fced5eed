"""Registration: nova.conf paths list every class; broken plugins skipped.

The broken plugin is a real installed distribution (a dist-info directory
put on sys.path) registering entry points in nova-lb's namespaces, so the
loading goes through importlib.metadata and stevedore as in production.
"""

import logging
import os
import sys

import fixtures
import stevedore

from nova_lb.scheduler.filters import draining
from nova_lb.scheduler.filters import headroom
from nova_lb.scheduler import loading
from nova_lb.scheduler.weighers import balanced
from nova_lb.scheduler.weighers import measured
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts

ENTRY_POINTS = """\
[nova_lb.scheduler.filters]
BrokenFilter = nova_lb_no_such_module:BrokenFilter
NotAFilter = os.path:join

[nova_lb.scheduler.weighers]
BrokenWeigher = nova_lb_no_such_module:BrokenWeigher
"""


class LoadingTest(base.PluginTestCase):

    def test_all_filters_and_weighers(self):
        self.assertEqual([draining.DrainingHostFilter,
                          headroom.HeadroomFilter], self.filter_classes)
        self.assertEqual([balanced.BalancedUtilizationWeigher,
                          measured.MeasuredLoadWeigher],
                         self.weigher_classes)

    def test_next_to_nova_own(self):
        _, classes = hosts.load_filters(
            'nova.scheduler.filters.all_filters', hosts.FILTERS)
        names = [c.__name__ for c in classes]
        self.assertIn('ComputeFilter', names)
        self.assertIn('HeadroomFilter', names)

    def _install_broken_plugin(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        info = os.path.join(tmp, 'broken_nova_lb_plugin-1.0.dist-info')
        os.mkdir(info)
        with open(os.path.join(info, 'METADATA'), 'w') as f:
            f.write('Metadata-Version: 2.1\nName: broken-nova-lb-plugin\n'
                    'Version: 1.0\n')
        with open(os.path.join(info, 'entry_points.txt'), 'w') as f:
            f.write(ENTRY_POINTS)
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME', tmp))
        self.useFixture(fixtures.MonkeyPatch('sys.path', [tmp] + sys.path))
        # stevedore keeps each namespace's entry points for the process.
        self.useFixture(fixtures.MonkeyPatch(
            'stevedore.ExtensionManager.ENTRY_POINT_CACHE', {}))

    def test_broken_entry_points_are_logged_and_skipped(self):
        self._install_broken_plugin()
        log = self.useFixture(fixtures.FakeLogger(
            name=loading.__name__, level=logging.WARNING))
        names = {ep.name for ep in stevedore.ExtensionManager(
            'nova_lb.scheduler.filters').list_entry_points()}
        self.assertEqual({'BrokenFilter', 'NotAFilter', 'DrainingHostFilter',
                          'HeadroomFilter'}, names)
        handler, classes = hosts.load_filters(
            'nova.scheduler.filters.all_filters', hosts.FILTERS)
        self.assertIn(headroom.HeadroomFilter, classes)
        self.assertIn(draining.DrainingHostFilter, classes)
        _, weighers = hosts.load_weighers(hosts.WEIGHERS)
        self.assertEqual([balanced.BalancedUtilizationWeigher,
                          measured.MeasuredLoadWeigher], weighers)
        self.assertIn('nova_lb_no_such_module:BrokenFilter', log.output)
        self.assertIn('nova_lb_no_such_module:BrokenWeigher', log.output)
        self.assertIn('os.path:join', log.output)
        self.assertIn('is not a BaseHostFilter', log.output)
