"""The cost model shared by the scheduler plugin and the rebalancer.

Both halves read utilisation from :func:`utilisation` and the admin's
weights from one :class:`CostModel`, so that they judge a host with the
same figures; they do not minimise the same function, because they do not
make the same decision:

* The scheduler places one server and picks one host:
  :meth:`CostModel.cost` ranks each candidate by its *own* utilisation
  after the request, ``peak + imbalance_weight * imbalance``, with
  ``peak = max_c w_c u_c`` (weights scaled so the largest is 1,
  :attr:`CostModel.weight_vector`).
* The solver moves many servers and judges the whole cloud: it minimises
  :func:`weighted_peak`, ``sum_c s_c max_h u_hc``, the peak of each class
  over the hosts that count, weighted by :attr:`CostModel.shares` (the
  same weights scaled to sum to 1, so that the figure reads as a
  utilisation), subject to :mod:`nova_lb.model.constraints`.

Where they agree: both judge a host by the same utilisations and count
each class by its weight, a class of weight 0 for nothing (a limit only,
through its ceiling). With one weighted class they agree exactly: the
imbalance is then 0 and the scheduler's pick, the host that stays
coolest in that class, never raises the class's cloud peak when some host
could take the server below it. Where they differ: the scheduler ranks hosts by
their hottest class, the solver counts every class's cloud-wide peak. A
boot may therefore go to a host whose hottest class stays lowest but
whose other class rises above that class's cloud peak, which raises the
solver's objective (the example in ``doc/source/cost-model.rst``); and the
imbalance term lets a host win whose peak is up to ``imbalance_weight``
times another candidate's imbalance above that candidate's peak. Neither
undoes a plan (the scheduler moves nothing); the next plan starts from
where the boots went and moves them if that pays more than ``deadband``.

Everything here is pure numpy: no Nova, no configuration, no I/O. Every
function works on one host (a vector of utilisations, one per resource
class) and on thousands at once (a matrix, hosts by resource classes),
because the scheduler weighs one request's candidates and the solver
weighs a whole cloud.
"""

import dataclasses
import functools

import numpy as np

#: The resource classes every Nova compute host reports.
STANDARD_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')


def capacity(total, reserved, allocation_ratio):
    """Usable amount of a resource, exactly as Placement computes it.

    Placement's ``Inventory.capacity`` is
    ``int((total - reserved) * allocation_ratio)``: the truncation matters
    for small inventories with fractional ratios, so it is kept here.
    """
    return np.trunc((np.asarray(total, dtype=float) - reserved)
                    * allocation_ratio)


def utilisation(used, cap):
    """``used / cap``, elementwise: the one definition of utilisation,
    for the scheduler's weigher and filter, the solver and the plans.

    A resource with no capacity is 0 % used while nothing uses it and
    infinitely used as soon as something does, so that such a host always
    costs more than any host with room.
    """
    used = np.asarray(used, dtype=float)
    cap = np.asarray(cap, dtype=float)
    # Few array operations on the common path: the scheduler calls this
    # once per request, where each numpy call costs microseconds.
    room = cap > 0
    if room.all():
        return used / cap
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(room, used / np.where(room, cap, 1.0),
                        np.where(used > 0, np.inf, 0.0))


def _weighted_columns(u, weights):
    """Each column of ``u`` (last axis) times its weight.

    Reductions over the last axis go column by column: numpy reduces a
    short last axis (a few resource classes) row by row, several times
    slower than a few whole-column operations, and matrix products hand
    arrays this small to BLAS, which costs more than it saves. The
    scheduler calls the model once per request on thousands of rows.
    """
    return [u[..., j] * w for j, w in enumerate(weights)]


@dataclasses.dataclass(frozen=True)
class CostModel:
    """Turns a host's utilisation vector into one cost; lower is better.

    ``cost = peak + imbalance_weight * imbalance`` where *peak* is the
    highest weighted utilisation (weights scaled so the largest is 1) and
    *imbalance* is the weighted standard deviation of the utilisations. A
    host whose CPU is idle while its memory is full has a high peak and a
    high imbalance: its idle CPUs are stranded. This is the scheduler's
    figure; the solver minimises :func:`weighted_peak` with the same
    weights as :attr:`shares` (see the module docstring for how the two
    agree).
    """

    resource_classes: tuple
    weights: tuple
    imbalance_weight: float = 1.0

    @classmethod
    def build(cls, weights, imbalance_weight=1.0, resource_classes=None):
        """Validate and build a model.

        :param weights: mapping of resource class to a weight >= 0.
        :param resource_classes: order of the utilisation vectors this
            model will be given; classes without a weight get 0. Defaults
            to the weighted classes in ``weights`` order.
        :raises ValueError: with a message an admin can act on.
        """
        for rc, w in weights.items():
            if not w >= 0 or w == float('inf'):
                raise ValueError('weight of %s must be a finite number >= 0, '
                                 'not %r' % (rc, w))
        if not any(w > 0 for w in weights.values()):
            raise ValueError('at least one resource class needs a weight '
                             '> 0, got %r' % dict(weights))
        if not imbalance_weight >= 0 or imbalance_weight == float('inf'):
            raise ValueError('imbalance weight must be a finite number '
                             '>= 0, not %r' % (imbalance_weight,))
        if resource_classes is None:
            resource_classes = tuple(rc for rc, w in weights.items() if w > 0)
        top = max(weights.values())
        return cls(tuple(resource_classes),
                   tuple(float(weights.get(rc, 0.0)) / top
                         for rc in resource_classes),
                   float(imbalance_weight))

    @functools.lru_cache(maxsize=32)
    def for_classes(self, resource_classes):
        """The same model, for utilisation vectors in another class order."""
        known = dict(zip(self.resource_classes, self.weights))
        return CostModel(tuple(resource_classes),
                         tuple(known.get(rc, 0.0) for rc in resource_classes),
                         self.imbalance_weight)

    @functools.cached_property
    def weight_vector(self):
        """Weights in ``resource_classes`` order, the largest being 1."""
        vector = np.asarray(self.weights, dtype=float)
        vector.flags.writeable = False
        return vector

    @functools.cached_property
    def shares(self):
        """Weights in ``resource_classes`` order scaled to sum to 1: the
        solver's objective weights and the imbalance's, so that a
        weighted figure reads as a utilisation."""
        vector = self.weight_vector / self.weight_vector.sum()
        vector.flags.writeable = False
        return vector

    @functools.cached_property
    def _spread_weights(self):
        """Columns and weights (summing to 1) of the weighted classes."""
        weighted = np.flatnonzero(self.weight_vector > 0)
        share = self.shares[weighted]
        if len(weighted) == len(self.weights):
            weighted = slice(None)
        return weighted, share.tolist()

    def peak(self, util):
        """Highest weighted utilisation over the last axis."""
        return functools.reduce(np.maximum, _weighted_columns(
            np.asarray(util, dtype=float), self.weights))

    def imbalance(self, util):
        """Weighted standard deviation of the utilisations (last axis)."""
        columns, share = self._spread_weights
        u = np.asarray(util, dtype=float)[..., columns]
        with np.errstate(invalid='ignore'):
            mean = functools.reduce(np.add, _weighted_columns(u, share))
            deviation = u - mean[..., np.newaxis]
            spread = np.sqrt(functools.reduce(np.add, _weighted_columns(
                deviation * deviation, share)))
        return np.where(np.isfinite(spread), spread, np.inf)

    def cost(self, util):
        """Cost of each host (last axis: resource classes)."""
        return self.peak(util) + self.imbalance_weight * self.imbalance(util)


def weighted_peak(shares, peaks):
    """The solver's objective: the peaks of each class over the hosts
    that count, ``peaks`` (R,), weighted by :attr:`CostModel.shares`."""
    return float(np.dot(shares, peaks))


def fleet_summary(util, resource_classes):
    """Peak, mean, standard deviation and imbalance score of each class
    over hosts.

    ``util`` is hosts by resource classes. This is the ``before``/``after``
    block of a plan.
    """
    util = np.asarray(util, dtype=float).reshape(-1, len(resource_classes))
    if not len(util):
        return {}
    summary = {}
    for i, rc in enumerate(resource_classes):
        mean, stddev = float(util[:, i].mean()), float(util[:, i].std())
        summary[rc] = {'peak': float(util[:, i].max()), 'mean': mean,
                       'stddev': stddev,
                       'imbalance': imbalance_score(mean, stddev)}
    return summary


def imbalance_score(mean, stddev):
    """How unevenly one resource class is used, from 0 to 1.

    The coefficient of variation of the hosts' utilisations (standard
    deviation over mean), clamped to 1: a number that means the same on a
    quiet and on a busy cloud (Proxmox's rebalancer uses the same figure),
    0 when every host is equally used, 1 when one host carries everything
    (the CV of n hosts with all the load on one is sqrt(n - 1)) or worse.
    An unused class is balanced; an infinite utilisation (use of a
    resource with no capacity) is as unbalanced as it gets.
    """
    if not mean > 0:
        return 0.0
    score = stddev / mean
    return 1.0 if not np.isfinite(score) else float(min(score, 1.0))


def cloud_imbalance(summary, model):
    """The cloud's imbalance score: the class scores of a
    :func:`fleet_summary`, averaged with ``model``'s weights.

    The weights are those of the cost model, so the figure counts each
    class as much as the planner does; classes the model does not weigh
    count for nothing. None for an empty summary.
    """
    weights = dict(zip(model.resource_classes, model.weights))
    scored = [(weights.get(rc, 0.0), stats['imbalance'])
              for rc, stats in summary.items()]
    total = sum(w for w, _ in scored)
    if not total > 0:
        return None
    return sum(w * score for w, score in scored) / total
