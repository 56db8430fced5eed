"""Measured load for a generated cloud: hotspots allocations do not show.

Servers on over-committed hosts mostly idle (5-30 % of their vCPUs, 30-80
% of their memory), as published fleet studies find, but a few hosts run
a few busy servers (90 % of their vCPUs): those hosts are hot on their
physical cores while Placement, which counts flavors, sees them like the
others. About one server in a hundred has no data, as when an exporter
misses a guest. Kept apart from the cloud generator: the same cloud can
be studied with and without measured load.
"""

import numpy as np

#: Fraction of hosts that run busy servers, and how many each runs.
BUSY_HOSTS = 0.15
BUSY_PER_HOST = 3


def metrics(document, seed=0, window_s=3600, statistic='p95'):
    """A ``metrics`` block (snapshot contract) for ``document``'s servers."""
    rng = np.random.default_rng(seed)
    servers = document['compute']['servers']['servers']
    hosts = sorted({s['OS-EXT-SRV-ATTR:host'] for s in servers})
    busy_hosts = set(rng.choice(hosts, max(1, int(len(hosts) * BUSY_HOSTS)),
                                replace=False).tolist())
    busy_left = dict.fromkeys(busy_hosts, BUSY_PER_HOST)
    measured, without = {}, []
    for server in servers:
        flavor, host = server['flavor'], server['OS-EXT-SRV-ATTR:host']
        if rng.random() < 0.01:
            without.append(server['id'])
            continue
        share = rng.uniform(0.05, 0.3)
        if busy_left.get(host, 0) > 0 and flavor['vcpus'] >= 2:
            busy_left[host] -= 1
            share = 0.9
        measured[server['id']] = {
            'cpu_cores': round(flavor['vcpus'] * share, 3),
            'memory_mb': round(flavor['ram'] * rng.uniform(0.3, 0.8), 1),
            'cpu_samples': window_s // 60,
            'memory_samples': window_s // 60}
    return {'source': 'generated', 'window_s': window_s,
            'statistic': statistic, 'servers': measured,
            'without_data': {'cpu': without, 'memory': without}}
