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

import operator

import nova.conf
from nova.compute import utils as compute_utils
from nova.scheduler.filters import utils as filters_utils
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
    raw = np.array(list(map(_FIELDS, host_states)), dtype=float)
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


def _aggregate_value(host, key, positive):
    """Lowest valid value of ``key`` over the host's aggregates, or None."""
    found = filters_utils.aggregate_values_from_key(host, key)
    if not found:
        return None
    try:
        value = filters_utils.validate_num_values(found, cast_to=float)
    except ValueError:
        value = None
    if value is None or (positive and not value > 0):
        LOG.warning("Ignoring aggregate metadata %(key)s=%(vals)s of host "
                    "%(host)s: not a number%(cond)s",
                    {'key': key, 'vals': sorted(found), 'host': host.host,
                     'cond': ' > 0' if positive else ''})
        return None
    return value


def aggregate_values(host_states, keys, defaults, positive=False):
    """(hosts, len(keys)) values overridable by aggregate metadata.

    As Nova's per-aggregate weight multipliers
    (``nova.scheduler.utils.get_weight_multiplier``): each key takes the
    lowest value over the host's aggregates, else its default. A value that
    is not a number (or not > 0, with ``positive``) is logged and ignored.
    Only hosts that are in an aggregate cost a look-up.
    """
    values = np.tile(np.asarray(defaults, dtype=float),
                     (len(host_states), 1))
    in_aggregates = [i for i, h in enumerate(host_states) if h.aggregates]
    for i in in_aggregates:
        for j, key in enumerate(keys):
            value = _aggregate_value(host_states[i], key, positive)
            if value is not None:
                values[i, j] = value
    return values
