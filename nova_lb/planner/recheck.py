"""Is a reviewed plan still worth its migrations, on the cloud as it is?

``nova-lb apply`` carries out a plan an admin reviewed minutes or days
ago. The checker tells whether it still *fits* (servers on their sources,
room on their destinations); this tells whether it still *helps*: if an
admin or Nova moved servers meanwhile, a plan's moves may balance nothing
any more, and three migrations would buy nothing.

On a fresh snapshot, with the planner's own yardstick, the weighted peak
utilisation of each zone over the hosts that take servers (the solver's
objective):

* a move whose server may no longer move (its owner opted out, it is now
  excluded or a leftover) or whose destination no longer takes servers is
  dropped: it is no longer possible;
* a move whose purpose vanished is dropped: the plan without it reaches a
  peak no higher in any zone for any weighted resource class (so no higher
  weighted peak, in a zone or in the cloud, and no class traded for
  another), and what is left still fits the cloud in its waves (the
  checker says so). Moves are tried one server at
  a time, the least useful first (marginal gain, see
  :mod:`~nova_lb.planner.gain`), each against the whole plan's peaks, so
  that dropping many moves never adds up to a worse plan, until every
  move left is needed: without it, some zone's peak of some class would
  be higher or the rest would no longer fit. A move off a
  host that takes no servers (draining, disabled) has a purpose the peaks
  do not show, emptying that host, and is kept;
* what is left is carried out only while it lowers the peak of some zone
  by at least ``[solver] deadband``, the least gain the planner itself
  moves servers for; otherwise the plan is refused with the figures.

Only reviewed plans are rechecked: a run that plans and moves at once
carries out the plan the solver just made for the same snapshot.
"""

import dataclasses

import numpy as np

from nova_lb.model import build
from nova_lb.model import constraints
from nova_lb.model import cost
from nova_lb.planner import checker
from nova_lb.planner import gain as gain_mod
from nova_lb.planner import planner

#: Room for float rounding when comparing peaks.
_EPS = 1e-9


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What the recheck found."""

    #: The plan with only the moves still possible and useful, its
    #: before/after and gains figured on the fresh snapshot.
    plan: object
    #: ``{server uuid: why its move was dropped}``.
    dropped: dict
    #: Weighted peak of the fullest zone now, and after the kept moves.
    now: float
    after: float
    #: The most the kept moves lower the weighted peak of a zone.
    gain: float


class _Yardstick(object):
    """The weighted peak of each zone of ``model`` after some moves."""

    def __init__(self, model):
        self.model = model
        self.index = {uuid: i for i, uuid in enumerate(model.servers)}
        self.host_index = {host: h for h, host in enumerate(model.hosts)
                           if model.accepts[h]}
        weights = np.asarray(model.cost.weight_vector, dtype=float)
        self.weights = weights / weights.sum()
        counted = np.asarray(model.accepts, dtype=bool)
        self.zones = [z for z in (
            mask & counted for mask in constraints.SameZone.members(
                model.host_az).values()) if z.any()]

    def where(self, moves):
        """(S,) host index of each movable server after ``moves``."""
        location = np.array(self.model.location)
        for m in moves:
            location[self.index[m.server]] = self.host_index[m.destination]
        return location

    def class_peaks(self, moves):
        """(Z, R) each zone's peak of each class with ``moves`` made."""
        util = self.model.utilisation(self.where(moves))
        return np.array([util[z].max(axis=0) for z in self.zones]).reshape(
            len(self.zones), len(self.weights))

    def peaks(self, moves):
        """Each zone's weighted peak with ``moves`` made."""
        return self.class_peaks(moves) @ self.weights


def recheck(snap, plan, model_options, limits):
    """Judge ``plan`` (a :class:`~nova_lb.planner.plan.Plan` that fits
    ``snap``) on the cloud of ``snap``; returns a :class:`Verdict`.

    :param limits: the :class:`~nova_lb.planner.checker.Limits` the plan
        must keep to once moves are dropped.
    """
    model = build.build(snap, model_options)
    stick = _Yardstick(model)
    dropped = {m.server: 'it may no longer move: %s' % model.left_alone.get(
        m.server, 'its destination takes no servers') for m in
        plan.migrations
        if m.server not in stick.index or m.destination not in
        stick.host_index}
    kept = tuple(m for m in plan.migrations if m.server not in dropped)
    kept, useless = _prune(snap, plan, kept, stick, limits)
    dropped.update(useless)
    now, after = stick.peaks(()), stick.peaks(kept)
    where = stick.where(kept)
    gains = gain_mod.marginal(model, where)
    before, predicted = planner.summary(model), planner.summary(model, where)
    fresh = dataclasses.replace(
        plan, migrations=tuple(dataclasses.replace(m, gain=gains.get(
            m.server)) for m in kept),
        before=before, after=predicted,
        imbalance={'before': cost.cloud_imbalance(before, model.cost),
                   'after': cost.cloud_imbalance(predicted, model.cost)})
    return Verdict(plan=fresh, dropped=dropped,
                   now=float(now.max()) if len(now) else 0.0,
                   after=float(after.max()) if len(after) else 0.0,
                   gain=float((now - after).max()) if len(now) else 0.0)


def _prune(snap, plan, moves, stick, limits):
    """``(moves kept, {server: why dropped})``: ``moves`` without those
    whose purpose vanished (see the module's docstring)."""
    model = stick.model
    whole = stick.class_peaks(moves)
    # Classes of weight 0 are limits, not balanced: no purpose there.
    weighed = stick.weights > 0
    gains = gain_mod.marginal(model, stick.where(moves))
    first = {}
    for m in moves:
        first.setdefault(m.server, m)
    # A source that no longer takes servers (draining, disabled, gone)
    # must be left whatever the peaks say.
    index = {host: h for h, host in enumerate(model.hosts)}
    candidates = sorted(
        (s for s, m in first.items()
         if m.source in index and model.accepts[index[m.source]]),
        key=lambda s: (gains.get(s, 0.0), -first[s].wave, s))
    dropped = {}
    # Until no move can go: a move needed only beside one dropped later
    # may go too, and every move kept is then needed by the others.
    changed = True
    while changed:
        changed = False
        for server in [s for s in candidates if s not in dropped]:
            trial = tuple(m for m in moves if m.server != server)
            peaks = stick.class_peaks(trial)
            if np.any((peaks > whole + _EPS)[:, weighed]) or checker.check(
                    snap, dataclasses.replace(
                        plan, migrations=trial).to_json(), limits):
                continue
            moves, changed = trial, True
            dropped[server] = (
                'its purpose vanished: without it the other moves reach '
                'the same peaks of every resource class (weighted peak '
                '%.1f%% at most in any zone)'
                % (100 * float((peaks @ stick.weights).max())))
    return moves, dropped


def describe(verdict, deadband):
    """One line on a plan that no longer improves the cloud enough."""
    return ('the plan no longer improves the cloud enough, nothing moved: '
            'its %d moves would take the weighted peak utilisation from '
            '%.1f%% to %.1f%% (best gain in a zone %.1f%%, [solver] '
            'deadband %.1f%%)%s' % (
                len(verdict.plan.migrations), 100 * verdict.now,
                100 * verdict.after, 100 * verdict.gain, 100 * deadband,
                '; %d moves dropped' % len(verdict.dropped)
                if verdict.dropped else ''))
