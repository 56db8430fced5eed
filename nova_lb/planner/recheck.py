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
  dropped: its purpose vanished;
* what is left is carried out only while it lowers the peak of some zone
  by at least ``[solver] deadband``, the least gain the planner itself
  moves servers for; otherwise the plan is refused with the figures.

A move that is still possible but, after outside changes, no longer
helps on its own is not singled out: the planner adds moves that lower no
peak (evening hosts out, repairing a server group), and telling those from
useless ones needs the solver, not a recheck. A plan made of such moves
is refused as a whole by the deadband.
"""

import dataclasses

import numpy as np

from nova_lb.model import build

@dataclasses.dataclass(frozen=True)
class Verdict:
    """What the recheck found."""

    #: The plan with only the moves still possible.
    plan: object
    #: ``{server uuid: why its move was dropped}``.
    dropped: dict
    #: Weighted peak of the fullest zone now, and after the kept moves.
    now: float
    after: float
    #: The most the kept moves lower the weighted peak of a zone.
    gain: float


def recheck(snap, plan, model_options):
    """Judge ``plan`` (a :class:`~nova_lb.planner.plan.Plan` that fits
    ``snap``) on the cloud of ``snap``; returns a :class:`Verdict`."""
    model = build.build(snap, model_options)
    index = {uuid: i for i, uuid in enumerate(model.servers)}
    host_index = {host: h for h, host in enumerate(model.hosts)
                  if model.accepts[h]}
    dropped = {m.server: 'it may no longer move: %s' % model.left_alone.get(
        m.server, 'its destination takes no servers') for m in
        plan.migrations
        if m.server not in index or m.destination not in host_index}
    kept = tuple(m for m in plan.migrations if m.server not in dropped)
    weights = np.asarray(model.cost.weight_vector, dtype=float)
    weights = weights / weights.sum()
    counted = np.asarray(model.accepts, dtype=bool)
    zones = [z for z in (
        np.array([az == zone for az in model.host_az]) & counted
        for zone in sorted(set(model.host_az), key=str)) if z.any()]

    def peaks(moves):
        """Each zone's weighted peak with ``moves`` made."""
        location = np.array(model.location)
        for m in moves:
            location[index[m.server]] = host_index[m.destination]
        util = model.utilisation(location)
        return np.array([np.dot(weights, util[z].max(axis=0))
                         for z in zones])

    now, after = peaks(()), peaks(kept)
    return Verdict(plan=dataclasses.replace(plan, migrations=kept),
                   dropped=dropped,
                   now=float(now.max()) if len(now) else 0.0,
                   after=float(after.max()) if len(after) else 0.0,
                   gain=float((now - after).max()) if len(now) else 0.0)


def describe(verdict, deadband):
    """One line on a plan that no longer improves the cloud enough."""
    return ('the plan no longer improves the cloud enough, nothing moved: '
            'its %d moves would take the weighted peak utilisation from '
            '%.1f%% to %.1f%% (best gain in a zone %.1f%%, [solver] '
            'deadband %.1f%%)%s' % (
                len(verdict.plan.migrations), 100 * verdict.now,
                100 * verdict.after, 100 * verdict.gain, 100 * deadband,
                '; %d moves no longer possible' % len(verdict.dropped)
                if verdict.dropped else ''))
