"""How well the scheduler plugin places a stream of boots, vs Nova alone.

A seeded stream of boot requests (a realistic flavor mix, general purpose,
memory-heavy and CPU-heavy) goes through Nova's real filter and weigher
handlers into 200 real HostStates of mixed generations (different sizes and
allocation ratios, reserved amounts), one server at a time, until the first
NoValidHost. Placement's part (only hosts with room for the request are
candidates) is emulated with Placement's own capacity formula. Run twice on
the same stream: Nova's default filters and weighers, then the same plus
nova-lb's filters and weigher with their default options.

    python -m benchmarks.placement_quality [--hosts N] [--seed N]
"""

import argparse
import random

import nova.conf
import numpy as np

import nova_lb.conf  # noqa: F401 (registers [nova_lb] on nova's CONF)
from nova_lb.model import cost
from benchmarks import scheduler_cost
from tests.unit.scheduler import hosts

CONF = nova.conf.CONF
RESERVED = (2, 4096, 0)      # reserved_host_cpus / _memory_mb / _disk_mb

#: (vcpus, memory_mb, disk_gb, cpu/ram/disk allocation ratios, share)
GENERATIONS = [
    (24, 65536, 600, (4.0, 1.0, 1.0), 0.25),      # old, small
    (32, 131072, 1200, (4.0, 1.0, 1.0), 0.25),    # mid
    (48, 262144, 2400, (2.0, 1.0, 1.0), 0.25),    # new, memory-rich
    (64, 131072, 1600, (8.0, 1.5, 1.0), 0.25),    # CPU-dense, overcommitted
]

#: (name, vcpus, memory_mb, root_gb, share of requests)
FLAVORS = [
    ('m1.small', 1, 2048, 20, 0.25), ('m1.medium', 2, 4096, 40, 0.25),
    ('m1.large', 4, 8192, 80, 0.15), ('m1.xlarge', 8, 16384, 160, 0.05),
    ('r1.large', 2, 16384, 40, 0.10), ('r1.xlarge', 4, 32768, 80, 0.05),
    ('c1.large', 8, 4096, 40, 0.10), ('c1.xlarge', 16, 8192, 80, 0.05),
]


def build_fleet(count):
    states, share = [], np.cumsum([g[4] for g in GENERATIONS])
    for i in range(count):
        gen = GENERATIONS[int(np.searchsorted(share, (i + 0.5) / count))]
        states.append(hosts.host_state('host%03d' % i, *gen[:3],
                                       ratios=gen[3], reserved=RESERVED))
    total = np.array([[s.vcpus_total, s.total_usable_ram_mb,
                       s.total_usable_disk_gb] for s in states], float)
    ratio = np.array([[s.cpu_allocation_ratio, s.ram_allocation_ratio,
                       s.disk_allocation_ratio] for s in states])
    reserved = np.array([RESERVED[0], RESERVED[1], RESERVED[2] / 1024])
    return states, cost.capacity(total, reserved, ratio)


def stream(seed, length):
    rng = random.Random(seed)
    flavors = [hosts.flavor(*f[:4]) for f in FLAVORS]
    return rng.choices(flavors, weights=[f[4] for f in FLAVORS], k=length)


def stats(usage, capacity):
    util = usage / capacity
    return {'per_class': util.std(axis=0), 'dominant': util.max(1).std()}


def stranded(usage, capacity):
    """Free vCPU on hosts without RAM for the smallest flavor, and free GiB
    of RAM on hosts without a vCPU for it."""
    free = capacity - usage
    smallest = min(f[2] for f in FLAVORS)
    return (free[free[:, 1] < smallest, 0].sum(),
            free[free[:, 0] < 1, 1].sum() / 1024)


def run(pipe, flavors, count):
    """Place the stream until the first NoValidHost."""
    handler, filter_objs, weight_handler, weighers = pipe
    states, capacity = build_fleet(count)
    usage = np.zeros_like(capacity)
    snapshots = {}
    for placed, flavor in enumerate(flavors):
        spec = hosts.request_spec(flavor)
        want = np.array([flavor.vcpus, flavor.memory_mb, flavor.root_gb])
        # Placement: only hosts where the request fits are candidates.
        fits = np.flatnonzero((usage + want <= capacity).all(axis=1))
        passed = handler.get_filtered_objects(
            filter_objs, [states[i] for i in fits], spec)
        if not passed:
            break
        best = weight_handler.get_weighed_objects(weighers, passed, spec)
        chosen = best[0].obj
        chosen.consume_from_request(spec)
        chosen.disk_mb_used += flavor.root_gb * 1024
        chosen.num_io_ops = 0    # the build finishes before the next boot
        usage[int(chosen.host[4:])] += want
        fill = (usage.sum(0) / capacity.sum(0)).max()
        for mark in (0.5, 0.8):
            if fill >= mark and mark not in snapshots:
                snapshots[mark] = stats(usage, capacity)
    return placed, snapshots, stranded(usage, capacity)


def report(name, result):
    placed, snapshots, (cpu, ram) = result
    print('%s: %d servers placed before the first NoValidHost' % (
        name, placed))
    for mark, snap in sorted(snapshots.items()):
        print('  at %d%% fill: stddev of utilisation VCPU %.3f MEMORY_MB '
              '%.3f DISK_GB %.3f; of dominant utilisation %.3f' % (
                  mark * 100, *snap['per_class'], snap['dominant']))
    print('  stranded at the end: %.0f vCPU on hosts out of RAM, %.1f GiB '
          'RAM on hosts out of vCPU' % (cpu, ram))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=200)
    parser.add_argument('--seed', type=int, default=42)
    args = parser.parse_args()
    CONF([], project='nova')
    # The HostStates' services were last seen when built: keep them "up"
    # for ComputeFilter however long the run takes.
    CONF.set_override('service_down_time', 10 ** 7)
    CONF.set_override('reserved_host_cpus', RESERVED[0])
    CONF.set_override('reserved_host_memory_mb', RESERVED[1])
    CONF.set_override('reserved_host_disk_mb', RESERVED[2])
    flavors = stream(args.seed, 100 * args.hosts)
    filters = list(CONF.filter_scheduler.enabled_filters)
    weighers = list(CONF.filter_scheduler.weight_classes)
    nova = run(scheduler_cost.pipeline(filters, weighers), flavors,
               args.hosts)
    ours = run(scheduler_cost.pipeline(
        filters + scheduler_cost.PLUGIN_FILTERS,
        weighers + ['nova_lb.scheduler.weighers.all_weighers']), flavors,
        args.hosts)
    print('%d hosts, seed %d' % (args.hosts, args.seed))
    report('Nova defaults', nova)
    report('defaults + nova-lb', ours)
    print('ratios (nova-lb / Nova): servers %.3f; dominant stddev at 50%% '
          'fill %.2f (target <= 0.5); stranded vCPU %.2f, RAM %.2f' % (
              ours[0] / nova[0],
              ours[1][0.5]['dominant'] / nova[1][0.5]['dominant'],
              ours[2][0] / max(nova[2][0], 1e-9),
              ours[2][1] / max(nova[2][1], 1e-9)))


if __name__ == '__main__':
    main()
