"""Is a reviewed plan still worth its migrations, on the cloud as it is?

``nova-lb apply`` carries out a plan an admin reviewed minutes or days
ago. The checker tells whether it still *fits* (servers on their sources,
room on their destinations); this tells whether it still *helps*: if an
admin or Nova moved servers meanwhile, a plan's moves may balance nothing
any more, and three migrations would buy nothing.

On a fresh snapshot, each move is judged by the planner's own yardstick,
the weighted peak utilisation over the hosts that take servers (the
solver's objective, here over the whole cloud rather than per zone):

* a move whose server may no longer move (opted out, now excluded) or
  whose removal does not raise the peak the plan reaches is dropped:
  its purpose vanished;
* what is left is carried out only while it lowers the peak by at least
  ``[solver] deadband``, the least gain the planner itself moves servers
  for; otherwise the plan is refused with the figures.
"""

import dataclasses

import numpy as np

from nova_lb.model import build

#: Rounding slack when comparing peaks.
_EPS = 1e-9


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What the recheck found."""

    #: The plan with only the moves still worth making.
    plan: object
    #: ``{server uuid: why its move was dropped}``.
    dropped: dict
    #: Weighted peak now, and after the kept moves.
    now: float
    after: float

    @property
    def gain(self):
        return self.now - self.after


def recheck(snap, plan, model_options):
    """Judge ``plan`` (a :class:`~nova_lb.planner.plan.Plan` that fits
    ``snap``) on the cloud of ``snap``; returns a :class:`Verdict`."""
    model = build.build(snap, model_options)
    index = {uuid: i for i, uuid in enumerate(model.servers)}
    host_index = {host: h for h, host in enumerate(model.hosts)}
    dropped = {m.server: 'it may no longer move: %s' % model.left_alone.get(
        m.server, 'not movable now') for m in plan.migrations
        if m.server not in index or m.destination not in host_index}
    kept = [m for m in plan.migrations if m.server not in dropped]
    weights = np.asarray(model.cost.weight_vector, dtype=float)
    weights = weights / weights.sum()
    counted = np.asarray(model.accepts, dtype=bool)

    def peak(moves):
        location = np.array(model.location)
        for m in moves:
            location[index[m.server]] = host_index[m.destination]
        util = model.utilisation(location)[counted]
        return float(np.dot(weights, util.max(axis=0))) if len(util) \
            else 0.0

    after = peak(kept)
    # Latest moves first: an early move is more likely a prerequisite.
    for move in reversed(list(kept)):
        without = [m for m in kept if m is not move]
        if peak(without) <= after + _EPS:
            dropped[move.server] = (
                'gains nothing on the cloud as it is now (weighted peak '
                '%.3f without it)' % after)
            kept = without
    return Verdict(plan=dataclasses.replace(plan, migrations=tuple(kept)),
                   dropped=dropped, now=peak(()), after=peak(kept))


def describe(verdict, deadband):
    """One line on a plan that no longer improves the cloud enough."""
    return ('the plan no longer improves the cloud enough, nothing moved: '
            'its %d moves would lower the weighted peak utilisation from '
            '%.1f%% to %.1f%% (gain %.1f%%, [solver] deadband %.1f%%)%s' % (
                len(verdict.plan.migrations), 100 * verdict.now,
                100 * verdict.after, 100 * verdict.gain, 100 * deadband,
                '; %d moves dropped as pointless' % len(verdict.dropped)
                if verdict.dropped else ''))

