"""Measured load as extra columns of a :class:`~nova_lb.model.cluster.Cluster`.

With ``[solver] balance = measured`` the planner balances what servers
really use while Placement stays the hard constraint. Rather than teach
the solver a second kind of load, this adds one column per measured class
(``measured:VCPU`` in cores, ``measured:MEMORY_MB`` in MiB) whose capacity
is the host's physical capacity (inventory ``total - reserved``, no
allocation ratio) and whose limit is unbounded, and moves the cost
weights onto them: the solver then minimises the weighted peak of
measured load, and every allocation column keeps its capacity and ceiling
as before. Bound, waves, checker and plan work unchanged; the plan's
before/after show both kinds of column.

A server without data for a class counts at its Placement allocation of
that class (vCPUs as cores), never as idle, and is listed.

The columns hold each server's measured use as Prometheus gave it: the
plan's before/after, peaks and gap describe what servers use. Only the
solver sees it rounded (:func:`coarse`), and the proven bound comes from
use rounded down (:func:`floored`, :mod:`nova_lb.planner.bound`).
"""

import dataclasses

import numpy as np

from nova_lb import exception
from nova_lb.model import cluster as cluster_mod
from nova_lb.model import cost
from nova_lb.model import fields

#: Placement class -> (measured column, key in the snapshot's metrics)
CLASSES = {'VCPU': ('measured:VCPU', 'cpu_cores'),
           'MEMORY_MB': ('measured:MEMORY_MB', 'memory_mb')}
#: The solver sees measured use rounded to this share of the server's
#: allocation (see :func:`coarse`).
STEPS = 10


def extend(model, snap, misplaced):
    """``model`` with measured columns, weighted instead of allocations.

    :param misplaced: :func:`nova_lb.model.leftovers.misplaced` of
        ``snap``, which the model was built with: leftover allocations
        run nothing, so they have no measured load where they are.

    :raises nova_lb.exception.BadSnapshot: ``snap`` has no usable
        ``metrics`` block, or the cost weights give no measured class a
        weight.
    """
    measured = _measured(snap)
    rcs = [rc for rc in CLASSES if rc in model.resource_classes]
    weights = dict(zip(model.cost.resource_classes, model.cost.weights))
    if not any(weights.get(rc, 0.0) > 0 for rc in rcs):
        raise exception.BadSnapshot(
            '[solver] balance = measured needs a weight > 0 for VCPU or '
            'MEMORY_MB in [nova_lb] resource_weights')
    hosts = {host: h for h, host in enumerate(model.hosts)}
    col = {rc: model.resource_classes.index(rc) for rc in rcs}
    physical = np.zeros((len(model.hosts), len(rcs)))
    used = np.zeros((len(model.hosts), len(rcs)))
    unmeasured = set()
    for host, h in hosts.items():
        for rp in snap.host_providers[host]:
            provider = snap.providers[rp]
            for k, rc in enumerate(rcs):
                inv = provider.inventories.get(rc)
                if inv is not None:
                    physical[h, k] += inv.total - inv.reserved
            for consumer, resources in provider.allocations.items():
                runs_on = hosts.get(misplaced.get((consumer, host), host))
                for k, rc in enumerate(rcs):
                    if rc in resources and runs_on is not None:
                        used[runs_on, k] += _use(measured, consumer, rc,
                                                 resources[rc], unmeasured)
    demand = np.zeros((len(model.servers), len(rcs)))
    for s, uuid in enumerate(model.servers):
        for k, rc in enumerate(rcs):
            demand[s, k] = _use(measured, uuid, rc, model.demand[s, col[rc]],
                                unmeasured)
    fixed = used.copy()
    np.subtract.at(fixed, model.location, demand)
    names = tuple(CLASSES[rc][0] for rc in rcs)
    classes = model.resource_classes + names
    return dataclasses.replace(
        model,
        resource_classes=classes,
        capacity=_append(model.capacity, physical),
        limit=_append(model.limit, np.full(physical.shape, np.inf)),
        fixed=_append(model.fixed, np.maximum(fixed, 0.0)),
        demand=_append(model.demand, demand),
        cost=cost.CostModel.build(
            {CLASSES[rc][0]: weights.get(rc, 0.0) for rc in rcs},
            model.cost.imbalance_weight, resource_classes=classes),
        unmeasured=tuple(sorted(unmeasured & set(snap.server_index))))


def coarse(model):
    """``model`` as the solver plans on it: each movable server's measured
    use rounded to the nearest tenth of its allocation (0.2 core of a
    2-vCPU server); ``model`` itself if it has no measured column.

    Servers of one flavor with similar use then share a shape in the
    solver (:mod:`nova_lb.solver.shapes`), which otherwise sees as many
    shapes as servers (200 hosts and 4,000 servers: 8 s instead of
    minutes); a tenth is within what a percentile over an hour can tell
    apart. Rounding to the nearest tenth errs both ways and evens out on
    a host: rounding down would make hosts of many small servers look
    emptier than they are, and plans 0.01-0.04 worse (benchmarks). The
    solver's bound is therefore one of a nearby problem, not of the real
    one: see :func:`floored`.
    """
    return _rounded(model, np.round)


def floored(model):
    """``model`` with each movable server's measured use rounded *down*
    to a tenth of its allocation, never above what it uses.

    Which placements are valid depends on the allocation columns only,
    the same in both models; for every placement each host's rounded
    load is at most its raw one (the load no plan moves stays raw), so
    its weighted peak is too (weights >= 0, a maximum of smaller numbers
    is smaller). The optimum of this model, and every lower bound of it
    (its linear relaxation), is therefore a proven lower bound of the
    real problem, with as few shapes as :func:`coarse`.
    """
    rounded = _rounded(model, _floor)
    return dataclasses.replace(rounded, demand=cluster_mod.frozen_array(
        np.minimum(rounded.demand, model.demand)))


def _rounded(model, how):
    """``model`` with the measured use of its movable servers rounded by
    ``how(multiples of the step)`` to steps of a tenth of the allocation."""
    columns = [(model.resource_classes.index(rc),
                model.resource_classes.index(name))
               for rc, (name, _) in CLASSES.items()
               if name in model.resource_classes]
    if not columns:
        return model
    demand = np.array(model.demand, dtype=float)
    for allocation, use in columns:
        step = demand[:, allocation] / STEPS
        positive = step > 0
        safe = np.where(positive, step, 1.0)
        demand[:, use] = np.where(positive, how(demand[:, use] / safe) * safe,
                                  demand[:, use])
    return dataclasses.replace(model,
                               demand=cluster_mod.frozen_array(demand))


def _floor(multiples):
    """``multiples`` rounded down, shaved by a billionth.

    A value a rounding error below a multiple (0.6 / 0.2 =
    2.9999999999999996) counts as that multiple, shaved so that it stays
    at most the value: every server rounded to one multiple gets the same
    number, hence the same shape.
    """
    return np.floor(multiples + 1e-9) * (1.0 - 1e-9)


def _use(measured, consumer, rc, allocation, unmeasured):
    """Measured use of ``rc`` by ``consumer``, else its allocation."""
    value = measured.get(consumer, {}).get(CLASSES[rc][1])
    if value is None:
        unmeasured.add(consumer)
        return float(allocation)
    return float(value)


def _append(left, right):
    return cluster_mod.frozen_array(np.hstack([np.asarray(left, float),
                                               right]))


def _measured(snap):
    """``{server uuid: {key: value}}`` from the snapshot's metrics block."""
    if not snap.metrics:
        raise exception.BadSnapshot(
            '%s: [solver] balance = measured but the snapshot has no '
            'metrics block (configure [metrics] prometheus_url)'
            % snap.source)
    try:
        servers = fields.get(snap.metrics, 'servers', dict, 'metrics')
        result = {}
        for uuid, entry in servers.items():
            path = 'metrics.servers.%s' % uuid
            fields.check(entry, dict, path)
            result[uuid] = {
                key: fields.optional(entry, key, 'number', path)
                for _, key in CLASSES.values()}
            for key, value in result[uuid].items():
                if value is not None and value < 0:
                    raise fields.Problem('%s.%s: %s is negative'
                                         % (path, key, value))
    except fields.Problem as e:
        raise exception.BadSnapshot('%s: %s' % (snap.source, e))
    return result
