"""Base class: the plugin run through Nova's real filter and weigher handlers.
"""

import logging

import fixtures
from nova import test

from tests.unit.scheduler import hosts


class PluginTestCase(test.NoDBTestCase):
    """Loads nova-lb's classes as nova-scheduler does, from nova.conf paths.
    """

    def setUp(self):
        super().setUp()
        # Nova reserves 512 MB by default; none keeps the hand-written
        # utilisations in the tests readable. Tests of reserved set their own.
        self.flags(reserved_host_memory_mb=0)
        self.filter_handler, self.filter_classes = hosts.load_filters(
            hosts.FILTERS)
        self.weight_handler, self.weigher_classes = hosts.load_weighers(
            hosts.WEIGHERS)

    def _clear_attrs(self):
        # Nova's cleanup deletes public attributes, including the test
        # method pytest >= 8 sets on the instance; keep that one.
        method = self.__dict__.pop(self._testMethodName, None)
        super()._clear_attrs()
        if method is not None:
            self.__dict__[self._testMethodName] = method

    def capture_log(self, module):
        return self.useFixture(fixtures.FakeLogger(
            name=module, level=logging.DEBUG, format='%(message)s'))

    def filter_class(self, name):
        return next(c for c in self.filter_classes if c.__name__ == name)

    def passing(self, filter_name, host_states, spec):
        """Names of the hosts that Nova's HostFilterHandler lets through."""
        result = self.filter_handler.get_filtered_objects(
            [self.filter_class(filter_name)()], host_states, spec)
        return [h.host for h in result]

    def weighed(self, host_states, spec, weighers=None):
        """(host, weight) pairs, best first, from Nova's HostWeightHandler.
        """
        weighers = weighers or [cls() for cls in self.weigher_classes]
        result = self.weight_handler.get_weighed_objects(
            weighers, host_states, spec)
        return [(w.obj.host, w.weight) for w in result]
