"""HeadroomFilter hands its candidates to the weigher of the same request.

Each test runs Nova's real handlers in the order nova-scheduler does
(filters, then weighers on the hosts that passed) and checks the weights
against the same request weighed with nothing handed over: the hand-off
may only save work, never change an answer.
"""

import gc

from nova_lb.scheduler import candidate_hosts
from nova_lb.scheduler import handoff
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts


class HandoffTest(base.PluginTestCase):

    def setUp(self):
        super().setUp()
        self.flags(memory_mb_ceiling=0.8, group='nova_lb')
        tight = hosts.aggregate('tight', nova_lb_weight_multiplier='0.5')
        self.states = [
            hosts.host_state('h%d' % i, 16 + 16 * (i % 3), 65536, 1000,
                             used=(i % 9, 4096 * (i % 13), 20 * i),
                             aggregates=[tight] if i % 4 == 0 else [])
            for i in range(24)]
        self.spec = hosts.request_spec(hosts.flavor('m1.large', 4, 8192, 80))
        self.headroom = self.filter_class('HeadroomFilter')()
        self.weighers = [cls() for cls in self.weigher_classes]
        self.built = []
        real = candidate_hosts.CandidateHosts

        def counting(*args):
            self.built.append(args[0])
            return real(*args)
        self.stub_out('nova_lb.scheduler.candidate_hosts.CandidateHosts',
                      counting)

    def weigh(self, host_states):
        result = self.weight_handler.get_weighed_objects(
            self.weighers, host_states, self.spec)
        return [(w.obj.host, w.weight) for w in result]

    def weigh_alone(self, host_states):
        """The weights with nothing handed over."""
        handoff.drop(self.spec)
        return self.weigh(host_states)

    def filter(self, host_states):
        return self.filter_handler.get_filtered_objects(
            [self.headroom], host_states, self.spec)

    def test_weigher_reuses_what_the_filter_read(self):
        passed = self.filter(self.states)
        self.assertLess(len(passed), len(self.states))
        weights = self.weigh(passed)
        # One read of the hosts per request: the filter's.
        self.assertEqual(1, len(self.built))
        self.assertEqual(self.weigh_alone(passed), weights)
        self.assertEqual(2, len(self.built))

    def test_hosts_the_filter_rejected_are_not_handed_on(self):
        passed = self.filter(self.states)
        self.assertLess(len(passed), len(self.states))
        # The weigher finds the hosts that passed as they are, in order.
        table = handoff.take(self.spec)
        self.assertEqual(passed, table.hosts)
        self.assertEqual(slice(None), table.rows(passed))
        self.assertEqual(len(passed), len(table.weight_list))

    def test_subset_left_by_later_filters(self):
        passed = self.filter(self.states)
        later = passed[::-1][::2]            # fewer hosts, another order
        weights = self.weigh(later)
        self.assertEqual(1, len(self.built))
        self.assertEqual(self.weigh_alone(later), weights)

    def test_host_the_filter_never_saw_is_read_afresh(self):
        passed = self.filter(self.states[:12])
        weights = self.weigh(passed + self.states[12:])
        self.assertEqual(2, len(self.built))
        self.assertEqual(self.weigh_alone(passed + self.states[12:]),
                         weights)

    def test_taken_once_then_the_next_server_is_filtered_again(self):
        # A request for two servers: nova-scheduler consumes the first
        # server's host, then filters and weighs again with the same spec.
        first = self.weigh(self.filter(self.states))[0][0]
        chosen = next(h for h in self.states if h.host == first)
        chosen.consume_from_request(self.spec)
        # Without filtering again, nothing stale is left to weigh by.
        self.assertIsNone(handoff.take(self.spec))
        expected = self.weigh_alone(self.filter(self.states))
        self.built.clear()
        self.assertEqual(expected, self.weigh(self.filter(self.states)))
        self.assertEqual(1, len(self.built))

    def test_rebuild_leaves_nothing(self):
        # The same request object filtered again as a rebuild: what the
        # earlier run left must not outlive it.
        self.filter(self.states)
        self.spec.scheduler_hints = {'_nova_check_type': ['rebuild']}
        self.filter(self.states)
        self.assertIsNone(handoff.take(self.spec))

    def test_entry_dies_with_the_request(self):
        self.filter(self.states)
        left = len(handoff._ENTRIES)
        self.assertIn(self.spec, handoff._ENTRIES)
        del self.spec
        gc.collect()
        self.assertEqual(left - 1, len(handoff._ENTRIES))
