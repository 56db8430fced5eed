"""Nova's HostStates as numpy arrays: projected utilisation after a request.

One pass over the hosts reads the few HostState attributes needed; all the
arithmetic then runs on every candidate at once, so that the plugin costs a
few microseconds per host (nova-scheduler weighs thousands of hosts per
request).

Utilisation is Placement's: ``usage / ((total - reserved) * ratio)`` with
usage excluding the reserved amounts. The compute host's ``*_used`` figures
that HostState carries include its reserved amounts (the resource tracker
starts counting from ``reserved_host_*``), and HostState has no reserved
field. So the reserved amounts are taken from nova-scheduler's own
``reserved_host_cpus``, ``reserved_host_memory_mb`` and
``reserved_host_disk_mb``: this assumes the computes' nova.conf sets them as
nova-scheduler's does (the usual single nova.conf); a compute with other
values is judged with a usage off by the difference.

Disk usage is the compute's ``local_gb_used`` (``disk_mb_used``), not
``free_disk_mb``, which follows the physically free space
(``disk_available_least``) rather than Placement's allocations.
"""

import itertools
import operator

import nova.conf
from nova.compute import utils as compute_utils
import numpy as np
from oslo_log import log as logging

from nova_lb.model import cost
from nova_lb.scheduler import request

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

#: Column order of every (hosts, resource classes) array here.
CLASSES = cost.STANDARD_CLASSES

_FIELDS = operator.attrgetter(
    'vcpus_total', 'vcpus_used', 'cpu_allocation_ratio',
    'total_usable_ram_mb', 'free_ram_mb', 'ram_allocation_ratio',
    'total_usable_disk_gb', 'disk_mb_used', 'disk_allocation_ratio')


def projected_utilisation(host_states, spec_obj):
    """(hosts, CLASSES) utilisation of each host after placing ``spec_obj``.

    A host whose HostState lacks a figure gets NaN in that column: callers
    treat it as a host they cannot judge.
    """
    fields = itertools.chain.from_iterable(map(_FIELDS, host_states))
    raw = np.fromiter(fields, dtype=float, count=9 * len(host_states))
    raw = raw.reshape(-1, 9)
    total = raw[:, [0, 3, 6]]
    ratio = raw[:, [2, 5, 8]]
    used = np.column_stack((raw[:, 1], raw[:, 3] - raw[:, 4],
                            raw[:, 7] / 1024.0))
    disk_mb = CONF.reserved_host_disk_mb
    reserved_used = np.array([CONF.reserved_host_cpus,
                              CONF.reserved_host_memory_mb,
                              disk_mb / 1024.0])
    reserved_inventory = np.array([CONF.reserved_host_cpus,
                                   CONF.reserved_host_memory_mb,
                                   compute_utils.convert_mb_to_ceil_gb(
                                       disk_mb)])
    usage = np.maximum(used - reserved_used, 0.0)
    capacity = cost.capacity(total, reserved_inventory, ratio)
    return cost.utilisation(usage + request.amounts(spec_obj, CLASSES),
                            capacity)


def _overrides(aggregate, keys, positive):
    """The aggregate's value of each key (NaN: not set), or None if none."""
    metadata = aggregate.metadata
    if not any(key in metadata for key in keys):
        return None
    values = np.full(len(keys), np.nan)
    for j, key in enumerate(keys):
        if key not in metadata:
            continue
        try:
            value = float(metadata[key])
        except ValueError:
            value = np.nan
        if np.isnan(value) or (positive and not value > 0):
            LOG.warning("Ignoring metadata %(key)s=%(value)s of host "
                        "aggregate %(agg)s: not a number%(cond)s",
                        {'key': key, 'value': metadata[key],
                         'agg': aggregate.name,
                         'cond': ' > 0' if positive else ''})
        else:
            values[j] = value
    return values


def aggregate_values(host_states, keys, defaults, positive=False):
    """(hosts, len(keys)) values overridable by aggregate metadata.

    As Nova's per-aggregate weight multipliers
    (``nova.scheduler.utils.get_weight_multiplier``): each key takes the
    lowest value over the host's aggregates, else its default. A value that
    is not a number (or not > 0, with ``positive``) is logged and ignored,
    the host's other aggregates still counting. Each aggregate's metadata is
    read once per request, not once per host: most hosts are in some
    aggregate (an availability zone at least).
    """
    values = np.tile(np.asarray(defaults, dtype=float),
                     (len(host_states), 1))
    aggregates = {id(a): a for h in host_states for a in h.aggregates or ()}
    overrides = {}
    for key, aggregate in aggregates.items():
        found = _overrides(aggregate, keys, positive)
        if found is not None:
            overrides[key] = found
    if not overrides:
        return values
    rows, found = [], []
    for i, host in enumerate(host_states):
        for aggregate in host.aggregates or ():
            if id(aggregate) in overrides:
                rows.append(i)
                found.append(overrides[id(aggregate)])
    lowest = np.full_like(values, np.nan)
    # fmin ignores NaN, the keys an aggregate does not set.
    np.fmin.at(lowest, np.array(rows, dtype=int), np.array(found))
    return np.where(np.isnan(lowest), values, lowest)
