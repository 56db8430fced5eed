"""Snapshot -> :class:`nova_lb.model.cluster.Cluster`: what a plan may do.

This is where the cloud's facts become the planner's rules: which hosts may
give or receive servers, which servers may move and why the others may not,
how much each server weighs and how much load no plan can move. It is pure
(no I/O, no configuration: :class:`Options` carries the admin's choices as
plain values) and makes one pass over servers and allocations, so a
100,000-server cloud builds in seconds.

Demand is what Placement holds for the server on its host's provider tree,
never its flavor: Placement is what the scheduler and the live migration
will claim, and it counts resources a flavor does not show (a vGPU in a
child provider, ``resources:*`` extra specs).
"""

import dataclasses

import numpy as np

from nova_lb.conf import nova_lb_group
from nova_lb.conf import planner
from nova_lb import contract
from nova_lb import exception
from nova_lb.model import cluster
from nova_lb.model import cost
from nova_lb.model import cost_settings
from nova_lb.model import leftovers as leftovers_mod
from nova_lb.model import measured
from nova_lb.model import movable

_DEFAULT_COST = cost.CostModel.build(
    nova_lb_group.DEFAULT_WEIGHTS, resource_classes=cost.STANDARD_CLASSES)


@dataclasses.dataclass(frozen=True)
class Options:
    """The admin's choices for one build, as plain values."""

    #: resource class -> fraction of capacity a plan may fill (default 1).
    ceilings: dict = dataclasses.field(default_factory=dict)
    cost: 'cost.CostModel' = _DEFAULT_COST
    scope: planner.Scope = planner.Scope()
    #: Name of the aggregate whose hosts are being drained.
    draining_aggregate: str = None
    #: Balance measured load (``[solver] balance = measured``) instead of
    #: allocations; allocations stay the capacity either way.
    measured: bool = False

    @classmethod
    def from_conf(cls, conf):
        """Read ``[nova_lb]`` and ``[planner]`` once."""
        settings = cost_settings.load(conf)
        return cls(ceilings=dict(settings.ceilings), cost=settings.cost,
                   scope=planner.load(conf),
                   draining_aggregate=conf.nova_lb.draining_aggregate,
                   measured=conf.solver.balance == 'measured')


def build(snap, options=Options()):
    """The :class:`Cluster` a plan for ``snap`` works on."""
    hosts, host_reasons = movable.usable_hosts(snap, options.scope)
    index = {host: i for i, host in enumerate(hosts)}
    classes = _resource_classes(snap, hosts)
    model = options.cost.for_classes(classes)
    if hosts and not any(model.weights):
        raise exception.InvalidConfig(
            '[nova_lb] resource_weights: none of the resource classes the '
            'hosts have (%s) has a weight > 0' % ', '.join(classes))
    col = {rc: j for j, rc in enumerate(classes)}
    capacity = _capacity(snap, hosts, col)
    rows, left_alone = movable.movable_servers(
        snap, options.scope, index, host_reasons)
    leftovers = leftovers_mod.find(snap)
    for leftover in leftovers:
        if leftover.server in snap.server_index:
            left_alone[leftover.server] = leftover.message
            rows.pop(leftover.server, None)
    used, demand = _usage(snap, hosts, col, rows)
    held = demand.any(axis=1)
    for uuid in [u for u, row in rows.items() if not held[row]]:
        left_alone[uuid] = 'no Placement allocation on its host'
        del rows[uuid]
    groups = movable.server_groups(snap, index, rows, left_alone)
    keep = np.array(sorted(rows.values()), dtype=int)
    servers = tuple(snap.servers[i].uuid for i in keep)
    demand = demand[keep] if len(keep) else np.zeros((0, len(classes)))
    location = np.array([index[snap.servers[i].host] for i in keep], int)
    misplaced = leftovers_mod.misplaced(snap)
    idle = _idle(snap, misplaced, index, col, capacity)
    fixed = used - idle
    np.subtract.at(fixed, location, demand)
    renumber = {snap.server_index[u]: k for k, u in enumerate(servers)}
    zones = snap.host_zones()
    model = cluster.Cluster(
        resource_classes=classes,
        hosts=tuple(hosts),
        host_az=tuple(zones.get(h) for h in hosts),
        capacity=cluster.frozen_array(capacity),
        limit=cluster.frozen_array(
            capacity * _ceilings(snap, hosts, classes, options.ceilings)
            - idle),
        fixed=cluster.frozen_array(fixed),
        accepts=cluster.frozen_array(
            _accepts(snap, hosts, options.draining_aggregate), bool),
        servers=servers,
        demand=cluster.frozen_array(demand),
        location=cluster.frozen_array(location, int),
        groups=tuple(dataclasses.replace(
            g, members=tuple(renumber[m] for m in g.members)) for g in groups),
        left_alone=left_alone,
        cost=model,
        leftovers=leftovers)
    return (measured.extend(model, snap, misplaced) if options.measured
            else model)


def _resource_classes(snap, hosts):
    """Every class some host has inventory of; standard classes first."""
    found = {rc for host in hosts for rp in snap.host_providers[host]
             for rc in snap.providers[rp].inventories}
    return (tuple(rc for rc in cost.STANDARD_CLASSES if rc in found)
            + tuple(sorted(found - set(cost.STANDARD_CLASSES))))


def _capacity(snap, hosts, col):
    """(H, R) capacity, summed over each host's provider tree."""
    h_of, r_of, invs = [], [], []
    for h, host in enumerate(hosts):
        for rp in snap.host_providers[host]:
            for rc, inv in snap.providers[rp].inventories.items():
                h_of.append(h)
                r_of.append(col[rc])
                invs.append((inv.total, inv.reserved, inv.allocation_ratio))
    result = np.zeros((len(hosts), len(col)))
    if invs:
        total, reserved, ratio = np.array(invs, dtype=float).T
        np.add.at(result, (h_of, r_of),
                  cost.capacity(total, reserved, ratio))
    return result


def _usage(snap, hosts, col, rows):
    """(H, R) usage of every consumer, and each movable server's demand.

    Demand (rows of ``snap.servers``) counts only what a server holds on
    its own host's providers; anything else on a host is fixed load.
    """
    h_of, r_of, amount, owner = [], [], [], []
    for h, host in enumerate(hosts):
        for rp in snap.host_providers[host]:
            for consumer, resources in snap.providers[rp].allocations.items():
                row = rows.get(consumer, -1)
                for rc, value in resources.items():
                    h_of.append(h)
                    r_of.append(col[rc])
                    amount.append(value)
                    owner.append(row)
    h_of, r_of = np.array(h_of, int), np.array(r_of, int)
    amount, owner = np.array(amount, float), np.array(owner, int)
    used = np.zeros((len(hosts), len(col)))
    np.add.at(used, (h_of, r_of), amount)
    home = np.full(len(snap.servers) + 1, -1)
    index = {host: h for h, host in enumerate(hosts)}
    for row in rows.values():
        home[row] = index[snap.servers[row].host]
    mine = (owner >= 0) & (home[owner] == h_of)
    demand = np.zeros((len(snap.servers), len(col)))
    np.add.at(demand, (owner[mine], r_of[mine]), amount[mine])
    return used, demand


def _idle(snap, misplaced, index, col, capacity):
    """(H, R) what Placement counts on a host beyond the load running there.

    Leftover allocations (``misplaced``, from
    :func:`~nova_lb.model.leftovers.misplaced`) fill
    a host, so a plan must not fill it past its limit, but no server can
    lower them: were they load, the solver would move servers away to make
    up for an orphan. So the model takes them off both the host's load
    and its limit: the capacity checks are exactly Placement's, and the
    objective spreads only what runs. Negative where a server runs on a
    host that holds its allocation elsewhere.
    """
    result = np.zeros(capacity.shape)
    for (consumer, host), runs_on in misplaced.items():
        if host not in index:
            continue
        for rp in snap.host_providers[host]:
            held = snap.providers[rp].allocations.get(consumer, {})
            for rc, value in held.items():
                result[index[host], col[rc]] += value
                if runs_on in index and capacity[index[runs_on], col[rc]]:
                    result[index[runs_on], col[rc]] -= value
    return result


def _ceilings(snap, hosts, classes, defaults):
    """(H, R) ceilings: the option, or the hosts' aggregate override."""
    result = np.ones((len(hosts), len(classes)))
    for j, rc in enumerate(classes):
        if rc not in nova_lb_group.CEILING_OPTS:
            continue
        result[:, j] = defaults.get(rc, 1.0)
        override = snap.aggregate_minimum(
            contract.aggregate_key(nova_lb_group.CEILING_OPTS[rc]))
        for h, host in enumerate(hosts):
            if host in override:
                result[h, j] = override[host]
    return result


def _accepts(snap, hosts, draining_aggregate):
    """Enabled hosts outside the draining aggregate receive servers."""
    draining = {host for agg in snap.aggregates
                if agg.name == draining_aggregate for host in agg.hosts}
    return [snap.services[h].enabled and h not in draining for h in hosts]
