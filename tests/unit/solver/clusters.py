"""Small hand-built clusters whose best plan can be worked out by hand."""

import numpy as np

from nova_lb.model import cluster
from nova_lb.model import cost

RCS = ('VCPU', 'MEMORY_MB', 'DISK_GB')


def make(hosts, servers, groups=(), azs=None, accepts=None, limit=None,
         weights=None, fixed=None):
    """A Cluster.

    :param hosts: ``[(vcpu, ram_mb, disk_gb) capacity]``.
    :param servers: ``[(host index, (vcpu, ram_mb, disk_gb))]``.
    :param limit: fraction of the capacity a plan may fill (default 1),
        one for all hosts or one per host.
    :param fixed: ``[(vcpu, ram_mb, disk_gb)]`` per host that cannot move.
    """
    capacity = np.array(hosts, dtype=float)
    demand = np.array([d for _, d in servers], dtype=float).reshape(-1, 3)
    weights = weights or {'VCPU': 1.0, 'MEMORY_MB': 1.0}
    return cluster.Cluster(
        resource_classes=RCS,
        hosts=tuple('host%d' % i for i in range(len(hosts))),
        host_az=tuple(azs or [None] * len(hosts)),
        capacity=cluster.frozen_array(capacity),
        limit=cluster.frozen_array(capacity * np.reshape(
            1.0 if limit is None else limit, (-1, 1))),
        fixed=cluster.frozen_array(np.zeros_like(capacity) if fixed is None
                                   else fixed),
        accepts=cluster.frozen_array(
            [True] * len(hosts) if accepts is None else accepts, bool),
        servers=tuple('server%d' % i for i in range(len(servers))),
        demand=cluster.frozen_array(demand),
        location=cluster.frozen_array([h for h, _ in servers], int),
        groups=tuple(groups),
        left_alone={},
        cost=cost.CostModel.build(weights, resource_classes=RCS))


def vcpu_only(hosts, servers, **kwargs):
    """``make`` with VCPU-only sizes: RAM and disk follow, VCPU weighs."""
    def full(v):
        return (v, v * 1024, v)
    kwargs.setdefault('weights', {'VCPU': 1.0})
    if kwargs.get('fixed') is not None:
        kwargs['fixed'] = [full(v) for v in kwargs['fixed']]
    return make([full(v) for v in hosts],
                [(h, full(v)) for h, v in servers], **kwargs)


def group(uuid, policy, members, fixed_hosts=(), max_per_host=1):
    return cluster.ServerGroup(uuid=uuid, name=uuid, policy=policy,
                               members=tuple(members),
                               fixed_hosts=tuple(fixed_hosts),
                               max_server_per_host=max_per_host)


def random(n_hosts, per_host, seed=0, azs=1):
    """A lopsided cloud: the first half of the hosts twice as loaded."""
    rng = np.random.default_rng(seed)
    hosts = [(64, 262144, 2000)] * n_hosts
    servers = []
    for h in range(n_hosts):
        for _ in range(per_host * (2 if h < n_hosts // 2 else 1)):
            size = int(rng.choice([1, 2, 4]))
            servers.append((h, (size, size * 4096, size * 20)))
    return make(hosts, servers,
                azs=['az%d' % (h % azs) for h in range(n_hosts)])
