"""MeasuredLoadWeigher through Nova's real HostWeightHandler."""

from nova import objects

from nova_lb.scheduler.weighers import measured
from tests.unit.scheduler import base
from tests.unit.scheduler import hosts


def _with_cpu(state, value):
    """``state`` with the metrics Nova's cpu monitor would report (an
    integer percent, as ``MonitorMetricList.from_json`` gives them)."""
    state.metrics = objects.MonitorMetricList(objects=[] if value is None
                                              else [objects.MonitorMetric(
                                                  name=measured.METRIC,
                                                  value=value, source='t')])
    return state


class MeasuredWeigherTest(base.PluginTestCase):

    def _order(self, values, **flags):
        self.flags(group='nova_lb', **flags)
        states = [_with_cpu(hosts.host_state(name, 8, 16384, 200), value)
                  for name, value in values.items()]
        spec = hosts.request_spec(hosts.flavor('f', 1, 1024, 10))
        return self.weighed(states, spec, [measured.MeasuredLoadWeigher()])

    def test_cooler_host_first_and_multiplier_scales(self):
        order = self._order({'a': 90, 'b': 10, 'c': 50},
                            measured_weight_multiplier=2.0)
        self.assertEqual([('b', 2.0), ('c', 1.0), ('a', 0.0)],
                         [(h, round(w, 6)) for h, w in order])

    def test_host_without_data_ranks_as_fully_busy(self):
        order = self._order({'unknown': None, 'busy': 95, 'idle': 0})
        self.assertEqual(['idle', 'busy', 'unknown'], [h for h, _ in order])

    def test_no_host_reports_no_preference(self):
        order = self._order({'a': None, 'b': None})
        self.assertEqual({0.0}, {w for _, w in order})
