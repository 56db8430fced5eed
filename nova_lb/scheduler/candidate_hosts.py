"""One request's candidate hosts, read once into arrays.

nova-scheduler asks the plugin about up to thousands of HostStates per
request, and every Python-level pass over them costs tens of microseconds
per thousand hosts. ``CandidateHosts`` makes the passes HeadroomFilter and
BalancedUtilizationWeigher need once per request: the projected utilisation
(read only when asked for) and the hosts' aggregate memberships, from which
any aggregate-metadata override is resolved with a few array operations.
The weigher can then answer for any subset of the hosts (those that passed
every filter) by row.
"""

import copy
import functools
import itertools
import math
import operator

import numpy as np
from oslo_log import log as logging

from nova_lb.scheduler import projection

LOG = logging.getLogger(__name__)

#: A HostState's aggregates (Nova's HostState.aggregates is always a list).
AGGREGATES = operator.attrgetter('aggregates')


def _ids(objects):
    return np.fromiter(map(id, objects), dtype=np.uint64, count=len(objects))


def distinct_aggregates(per_host):
    """The set of aggregates in ``per_host`` (each host's list).

    Hosts share their Aggregate objects (HostManager's ``aggs_by_id``), and
    Nova's Aggregate compares by identity: each is looked at once.
    """
    return set(itertools.chain.from_iterable(per_host))


def _sets_any(aggregate, keys):
    return any(key in aggregate.metadata for key in keys)


def _overrides(aggregate, keys, positive):
    """The aggregate's value of each key (NaN: not set), or None if none."""
    if not _sets_any(aggregate, keys):
        return None
    metadata = aggregate.metadata
    values = [math.nan] * len(keys)
    for j, key in enumerate(keys):
        if key not in metadata:
            continue
        try:
            value = float(metadata[key])
        except ValueError:
            value = math.nan
        if math.isnan(value) or (positive and not value > 0):
            LOG.warning("Ignoring metadata %(key)s=%(value)s of host "
                        "aggregate %(agg)s: not a number%(cond)s",
                        {'key': key, 'value': metadata[key],
                         'agg': aggregate.name,
                         'cond': ' > 0' if positive else ''})
        else:
            values[j] = value
    return values


#: Decimals a weight is rounded to. A millionth of the spread between the
#: cheapest and the dearest candidate is finer than anything the hosts'
#: figures tell apart (less than a MiB of memory on a 384 GiB host), and
#: Nova's HostWeightHandler formats every weight into a string on every
#: request, debug logging on or off: six decimals format in about two
#: thirds of the time of a full float's seventeen digits.
WEIGHT_DECIMALS = 6


def normalise(costs):
    """Nova's ``normalize`` of the scores ``-cost``: min-max to [0, 1] (the
    cheapest host 1), all-equal gives zeros; rounded to WEIGHT_DECIMALS.

    A host whose cost is not finite (no capacity, or missing figures) gets
    0, the lowest weight.
    """
    costs = np.asarray(costs, dtype=float)
    finite = np.isfinite(costs)
    known = costs if finite.all() else costs[finite]
    if not known.size:
        return np.zeros(len(costs))
    low, high = known.min(), known.max()
    if low == high:
        return np.zeros(len(costs))
    weights = np.where(finite, (high - costs) / (high - low), 0.0)
    return np.round(weights, WEIGHT_DECIMALS)


class CandidateHosts:
    """The hosts of one request; kept alive, so their ``id`` stays unique.
    """

    def __init__(self, host_states, amounts, settings):
        """``amounts``: what the request claims, in ``projection.CLASSES``;
        ``settings``: ``[nova_lb]`` as read for this request.
        """
        self.hosts = list(host_states)
        self.settings = settings
        self._amounts = amounts
        self._per_host = list(map(AGGREGATES, self.hosts))
        self._aggregates = distinct_aggregates(self._per_host)

    @functools.cached_property
    def util(self):
        """(hosts, CLASSES) utilisation after placing the request."""
        return projection.projected_utilisation(self.hosts, self._amounts)

    @functools.cached_property
    def costs(self):
        """Each host's cost (the shared cost model) after the request."""
        model = self.settings.cost.for_classes(projection.CLASSES)
        return model.cost(self.util)

    @functools.cached_property
    def weight_list(self):
        """``normalise(costs)`` as Python floats: the weigher's weights,
        before multipliers, when it weighs all of these hosts."""
        return normalise(self.costs).tolist()

    def narrowed(self, keep):
        """These candidates less the hosts where ``keep`` (bool array) is
        False, with what was computed of them.

        HeadroomFilter hands this on when it rejects hosts, so that its
        weigher, weighing the hosts that passed, finds them in order and
        does no numpy work after Nova's weighers to look their rows up.
        """
        other = copy.copy(self)
        flags = keep.tolist()
        other.hosts = list(itertools.compress(self.hosts, flags))
        other._per_host = list(itertools.compress(self._per_host, flags))
        # The cached properties' values, where computed; the weights are
        # normalised over the hosts weighed, so they are not carried over.
        computed = vars(other)
        computed.pop('weight_list', None)
        for name in ('util', 'costs'):
            if name in computed:
                computed[name] = computed[name][keep]
        return other

    def overridden(self, keys):
        """Whether an aggregate of these hosts sets one of ``keys``."""
        return any(_sets_any(aggregate, keys)
                   for aggregate in self._aggregates)

    def aggregate_values(self, keys, defaults, positive=False):
        """Values overridable by aggregate metadata, read-only.

        As Nova's per-aggregate weight multipliers
        (``nova.scheduler.utils.get_weight_multiplier``): each key takes the
        lowest value over the host's aggregates, else its default. A value
        that is not a number (or not > 0, with ``positive``) is logged and
        ignored, the host's other aggregates still counting.

        :returns: (hosts, len(keys)) if an aggregate sets a key, else the
            defaults as one row (len(keys),), which broadcasts as such.
        """
        defaults = np.asarray(defaults, dtype=float)
        lowest = None
        for aggregate in self._aggregates:
            found = _overrides(aggregate, keys, positive)
            if found is None:
                continue
            if lowest is None:
                lowest = np.full((len(self.hosts), len(keys)), np.nan)
            # One C-level pass per aggregate that sets a key: admins set
            # them on a few aggregates, not on most.
            members = np.fromiter(
                map(operator.contains, self._per_host,
                    itertools.repeat(aggregate)),
                dtype=bool, count=len(self._per_host))
            # fmin ignores NaN, the keys an aggregate does not set.
            np.fmin(lowest, found, out=lowest, where=members[:, np.newaxis])
        if lowest is None:
            return defaults
        return np.where(np.isnan(lowest), defaults, lowest)

    def rows(self, host_states):
        """Row of each of ``host_states``, or None if one is not here."""
        if len(host_states) == len(self.hosts) and all(
                map(operator.is_, host_states, self.hosts)):
            return slice(None)
        if not self.hosts:
            return None
        ids = _ids(self.hosts)
        order = np.argsort(ids)
        ordered = ids[order]
        wanted = _ids(host_states)
        pos = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        if not (ordered[pos] == wanted).all():
            return None
        return order[pos]
