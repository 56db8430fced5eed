"""What the scheduler plugin adds to nova-scheduler's time per request.

Runs 1,000 real HostStates through Nova's real filter and weigher handlers,
first with Nova's default ``enabled_filters`` and ``weight_classes``, then
the same plus the plugin, interleaved in one run; prints the medians and
their ratio. Target: the plugin adds at most 5 %.

The plugin is measured in two configurations:

* *configured*: ceilings set (``[nova_lb] vcpu_ceiling`` and
  ``memory_mb_ceiling``) and a tighter ceiling in the metadata of an
  aggregate holding a tenth of the hosts, so that HeadroomFilter judges
  every host and resolves overrides;
* *default options*: the nova.conf snippet of the README and nothing else
  (no ceiling, no aggregate metadata); the weigher still weighs every host.

Two more pipelines put the figures in context: the whole plugin (with the
rebalancer's DrainingHostFilter), and no-op stand-ins in the same number (a
filter that returns its hosts, a weigher that returns ready-made weights):
what Nova's handlers charge for any plugin of that shape before it
computes anything (debug-log dicts and per-host lists built eagerly, a
per-host multiplier call and score string). The rest is nova-lb's own
computation.

    python -m benchmarks.scheduler_cost [--hosts N] [--repeat N]
"""

import argparse
import random
import statistics
import time

import nova.conf
from nova import filters as nova_filters
from nova.scheduler import filters
from nova.scheduler import weights

import nova_lb.conf  # noqa: F401 (registers [nova_lb] on nova's CONF)
from tests.unit.scheduler import hosts

CONF = nova.conf.CONF
PLUGIN_FILTERS = ['DrainingHostFilter', 'HeadroomFilter']

#: (vcpus, memory_mb, disk_gb, cpu/ram/disk allocation ratios)
GENERATIONS = [(32, 131072, 1000, (4.0, 1.0, 1.0)),
               (48, 393216, 2000, (2.0, 1.0, 1.0)),
               (64, 262144, 4000, (16.0, 1.5, 1.0))]


#: The configured plugin's options and aggregate metadata.
CEILINGS = {'memory_mb_ceiling': 0.9, 'vcpu_ceiling': 0.95}
TIGHT = {'nova_lb_memory_mb_ceiling': '0.85'}


def build_hosts(count, seed=1):
    """Hosts of three generations, 20-70 % used, all in an availability
    zone aggregate, a tenth also in the aggregate 'tight' (returned)."""
    rng = random.Random(seed)
    zones = [hosts.aggregate('az%d' % i, availability_zone='az%d' % i)
             for i in range(3)]
    tight = hosts.aggregate('tight')
    states = []
    for i in range(count):
        vcpus, ram, disk, ratios = GENERATIONS[i % len(GENERATIONS)]
        used = tuple(int(rng.uniform(0.2, 0.7) * cap * ratio)
                     for cap, ratio in zip((vcpus, ram, disk), ratios))
        aggregates = [zones[i % 3]] + ([tight] if i % 10 == 0 else [])
        states.append(hosts.host_state('host%04d' % i, vcpus, ram, disk,
                                       used=used, ratios=ratios,
                                       aggregates=aggregates))
    return states, tight


def configure(configured, tight):
    """Set the plugin's options and metadata: ``CEILINGS`` and ``TIGHT``
    if ``configured``, else their defaults (none). Nova's own filters and
    weighers read neither."""
    for name, value in CEILINGS.items():
        CONF.set_override(name, value if configured else 1.0, 'nova_lb')
    tight.metadata = dict(TIGHT) if configured else {}


def pipeline(enabled_filters, weight_classes):
    """Filter and weigher objects, chosen as nova-scheduler's HostManager
    chooses them from available_filters / enabled_filters."""
    handler, classes = hosts.load_filters(
        *CONF.filter_scheduler.available_filters,
        'nova_lb.scheduler.filters.all_filters')
    by_name = {cls.__name__: cls for cls in classes}
    filter_objs = [by_name[name]() for name in enabled_filters]
    weight_handler, weighers = hosts.load_weighers(*weight_classes)
    return handler, filter_objs, weight_handler, [w() for w in weighers]


class NoOpFilter(filters.BaseHostFilter):
    """Stand-in that judges nothing: Nova's charge for any filter."""

    def filter_all(self, filter_obj_list, spec_obj):
        return filter_obj_list


class NoOpWeigher(weights.BaseHostWeigher):
    """Stand-in that computes nothing: Nova's charge for any weigher.

    Its weights are fixed random numbers, not one constant: Nova's handler
    formats every weight into its log data, and a real weigher's weights
    are as varied as these.
    """

    minval = 0.0
    maxval = 1.0

    def __init__(self, count):
        super().__init__()
        rng = random.Random(0)
        self._weights = [rng.random() for _ in range(count)]

    def weight_multiplier(self, host_state):
        return 1.0

    def _weigh_object(self, host_state, weight_properties):
        return 0.5

    def weigh_objects(self, weighed_obj_list, weight_properties):
        return self._weights[:len(weighed_obj_list)]


def with_stand_ins(pipe, filter_count, host_count):
    """``pipe`` plus ``filter_count`` no-op filters and a no-op weigher,
    as many as the plugin adds."""
    handler, filter_objs, weight_handler, weighers = pipe
    return (handler, filter_objs + [NoOpFilter()
                                     for _ in range(filter_count)],
            weight_handler, weighers + [NoOpWeigher(host_count)])


def one_request(pipe, states, spec):
    handler, filter_objs, weight_handler, weighers = pipe
    # CPU time of this process: other processes on a shared machine
    # inflate wall-clock time, not this.
    start = time.process_time()
    passed = handler.get_filtered_objects(filter_objs, states, spec)
    weighed = weight_handler.get_weighed_objects(weighers, passed, spec)
    assert weighed, 'no host passed'
    return time.process_time() - start, len(passed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--repeat', type=int, default=100)
    args = parser.parse_args()
    CONF([], project='nova')
    # The HostStates' services were last seen when built: keep them "up"
    # for ComputeFilter however long the run takes.
    CONF.set_override('service_down_time', 10 ** 7)
    states, tight = build_hosts(args.hosts)
    spec = hosts.request_spec(hosts.flavor('m1.large', 4, 8192, 80))
    nova_filters_ = list(CONF.filter_scheduler.enabled_filters)
    nova_weighers = list(CONF.filter_scheduler.weight_classes)
    default = pipeline(nova_filters_, nova_weighers)
    plugin = pipeline(nova_filters_ + PLUGIN_FILTERS, nova_weighers + [
        'nova_lb.scheduler.weighers.all_weighers'])
    assert isinstance(plugin[1][-1], nova_filters.BaseFilter)
    issue2 = pipeline(nova_filters_ + ['HeadroomFilter'], nova_weighers + [
        'nova_lb.scheduler.weighers.all_weighers'])
    # name: (pipeline, plugin configured?)
    pipes = {'default': (default, False),
             'plugin': (plugin, True),
             'issue2': (issue2, True),
             'issue2-defaults': (issue2, False),
             'stand-ins': (with_stand_ins(default, len(PLUGIN_FILTERS),
                                          args.hosts), False),
             'stand-ins-2': (with_stand_ins(default, 1, args.hosts), False)}
    times = {name: [] for name in pipes}
    passed = {}

    def run(name):
        pipe, configured = pipes[name]
        configure(configured, tight)
        elapsed, passed[name] = one_request(pipe, states, spec)
        return elapsed

    for _ in range(3):                       # warm up
        for name in pipes:
            run(name)
    # Interleaved against drift, in a new order each round: a pipeline
    # runs faster or slower after another that left the CPU's caches
    # warmer or colder for it.
    rng = random.Random(0)
    order = list(pipes)
    for _ in range(args.repeat):
        rng.shuffle(order)
        for name in order:
            times[name].append(run(name) * 1000)
    base = statistics.median(times['default'])
    print('%d hosts, median of %d requests each (CPU time)'
          % (args.hosts, args.repeat))
    print('  Nova defaults:       %7.2f ms/request (%d hosts passed)'
          % (base, passed['default']))
    rows = [('issue2', 'defaults + HeadroomFilter + weigher, configured'),
            ('issue2-defaults', '  the same, default options'),
            ('stand-ins-2', '  the same shape, no-op stand-ins'),
            ('plugin', 'defaults + nova-lb (2 filters, weigher), '
             'configured'),
            ('stand-ins', '  the same shape, no-op stand-ins')]
    for name, label in rows:
        ratios = [p / d for p, d in zip(times[name], times['default'])]
        low, ratio, high = statistics.quantiles(ratios, n=4)
        print('  %-50s %7.2f ms/request, ratio %.3f (+%.1f %%; middle '
              'half of requests %.3f-%.3f)' % (
                  label, statistics.median(times[name]), ratio,
                  100 * (ratio - 1), low, high))
    for name, stand_ins, label in (
            ('issue2', 'stand-ins-2', 'HeadroomFilter, weigher, configured'),
            ('issue2-defaults', 'stand-ins-2',
             'HeadroomFilter, weigher, default options'),
            ('plugin', 'stand-ins', '2 filters, weigher, configured')):
        computed = statistics.median(
            [p - s for p, s in zip(times[name], times[stand_ins])])
        print('  nova-lb\'s own computation (%s): %.2f ms, %.1f %% of '
              'Nova defaults' % (label, computed, 100 * computed / base))
    print('  target: + <= 5 %; Nova\'s handlers charge the stand-ins '
          'the figure above before any plugin computes')


if __name__ == '__main__':
    main()
