"""The rules every plan obeys, each defined once.

As in BtrPlace, each rule of the balancing problem is one named class,
and every algorithm that must respect it asks that class: the greedy
heuristic, local search and the neighbourhood search
(:mod:`nova_lb.solver.greedy`, :mod:`~nova_lb.solver.local`,
:mod:`~nova_lb.solver.lns`), the rounding of fractional plans
(:mod:`~nova_lb.solver.aim`), the choice of candidate moves
(:mod:`~nova_lb.solver.candidate_moves`), the two MILP builders
(:mod:`~nova_lb.solver.milp`, :mod:`~nova_lb.solver.shapes`) and the wave
builder (:mod:`nova_lb.planner.waves`). A class offers what they need: a
vectorised test (does this server fit on these hosts, may this host take
one more member of a group) and the rows it adds to a MILP, so that a rule
changed here changes for every algorithm at once.

The rules:

* :class:`Capacity`: capacity with ceilings, during and after every wave;
* :class:`SameZone`: a server stays in its availability zone;
* :class:`AntiAffinity`: hard anti-affinity, with ``max_server_per_host``;
* :class:`AffinityPinned`: members of a hard affinity group stay;
* :class:`Drain`: every movable server leaves a host being drained, and
  only hosts that count or are drained give servers away;
* opt-out and the other reasons a server stays (owner's metadata
  ``nova_lb:movable``, status, task, excluded project or flavor, host
  down or excluded, migration in flight) are applied when the problem is
  built: :func:`nova_lb.model.movable.opted_out` and
  :func:`nova_lb.model.movable.movable_servers` make such a server fixed
  load, so no algorithm ever sees it. Which hosts may receive at all
  (enabled, up, not excluded, draining or closed) is
  ``Cluster.accepts``, from :mod:`nova_lb.model.build`.

The plan checker (:mod:`nova_lb.planner.checker` with
:mod:`nova_lb.planner.rules`) does not use this module, on purpose: it
restates every rule from the snapshot's records, so that a mistake here
cannot hide itself there.

Everything is pure numpy on arrays indexed by host, server (or unit) and
resource class; no configuration, no I/O.
"""

import numpy as np

from nova_lb.model import cluster

#: Room for float rounding when comparing usage with a limit.
EPS = 1e-9


class Capacity(object):
    """A host never holds more than its limit in any resource class.

    The limit is the capacity as Placement computes it times the ceiling
    (``[nova_lb] *_ceiling`` or the aggregate's override), what the
    scheduler's HeadroomFilter lets a boot reach: a plan never moves a
    server where the scheduler would refuse it. A live migration holds
    its resources on both hosts until it ends, so the wave builder tests
    each destination with the wave's sources still charged.

    A host over its limit now (a ceiling lowered, an allocation resized)
    need not be repaired: it may end a plan at what it holds now
    (:meth:`ceiling`). The heuristics and the plan models let only hosts
    within their limit now receive (:meth:`within`, a restriction: their
    plans stay valid); the relaxation that gives the bound lets an
    over-limit host receive under :meth:`ceiling`, which holds for every
    valid plan.
    """

    @staticmethod
    def fits(usage, limit):
        """(...) bool: ``usage`` (..., R) is within ``limit`` in every
        class; both broadcast, so one call tests many servers on many
        hosts."""
        return np.all(usage <= limit + EPS, axis=-1)

    @staticmethod
    def within(usage, limit):
        """(H,) bool: hosts within their limit now, with no rounding
        room: the hosts that may receive."""
        return np.all(usage <= limit, axis=1)

    @staticmethod
    def ceiling(limit, usage):
        """(H, R) what a host may end a plan at: its limit, or what it
        holds now if that is more (it then only gives servers away)."""
        return np.maximum(limit, usage)

    @staticmethod
    def rows(load, used, top):
        """MILP rows ``load @ x <= top - used`` as ``(matrix, upper)``.

        :param load: (hosts, variables) what the variables add to each
            host's usage of one class.
        :param used: (hosts,) what the hosts hold whatever the variables.
        :param top: (hosts,) their limit or :meth:`ceiling`.
        """
        return load, top - used


class SameZone(object):
    """A server never leaves its availability zone.

    Live migration keeps a server in its zone, and a host is in exactly
    one zone: the solver therefore solves each zone on its own
    (:func:`nova_lb.solver.zone.split`), and the wave builder sends a
    blocked server through a host of its own zone only.
    """

    @staticmethod
    def label(az):
        """The zone of a host whose ``host_az`` is ``az`` (None: the
        default zone)."""
        return az or ''

    @classmethod
    def members(cls, host_az):
        """``{zone label: (H,) bool mask of its hosts}``, labels sorted."""
        labels = np.array([cls.label(az) for az in host_az], dtype=object)
        return {name: labels == name for name in sorted(set(labels))}

    @classmethod
    def same(cls, host_az, a, b):
        """Hosts ``a`` and ``b`` (indices into ``host_az``) share a zone."""
        return cls.label(host_az[a]) == cls.label(host_az[b])


class AntiAffinity(object):
    """A host holds at most ``max_server_per_host`` members of a hard
    anti-affinity group (Nova's filter checks every migration).

    A host that holds more now keeps its allowance at what it holds
    (:meth:`allowance`): a plan never has to repair an old violation, it
    only never makes one worse. Members that cannot move still count on
    their hosts. During a wave a leaving member counts on its source
    until the wave ends, as Nova's filter sees it.
    """

    @staticmethod
    def allowance(count, most):
        """Members a host may hold, given ``count`` there now and the
        group's ``max_server_per_host`` ``most``."""
        return np.maximum(count, most)

    @staticmethod
    def admits(count, allow, n=1):
        """Hosts holding ``count`` members may take ``n`` more."""
        return count + n <= allow

    @staticmethod
    def rows(members, present, allow):
        """MILP rows ``members @ x <= allow - present``, as
        ``(matrix, upper)``: ``members`` (hosts, variables) is what the
        variables add to each host's members, ``present`` what it holds
        whatever they are."""
        return members, allow - present


class AffinityPinned(object):
    """Members of a hard affinity group stay where they are.

    Live migration moves one server at a time and Nova's affinity filter
    only lets a member go where the others already are, so an affinity
    group can never be moved apart or together. (A member whose group has
    a member on a host the plan may not use is left alone already when
    the problem is built: :func:`nova_lb.model.movable.server_groups`.)
    """

    @staticmethod
    def pinned(groups, servers):
        """``{server uuid: reason}`` for the members of ``groups``
        (:class:`nova_lb.model.cluster.ServerGroup`) that must stay."""
        return {servers[s]: 'member of affinity group %s: live migration '
                            'cannot move the group together' % group.name
                for group in groups if group.policy == cluster.AFFINITY
                for s in group.members}


class Drain(object):
    """Every movable server leaves a host being drained; only hosts that
    count and hosts being drained give servers away.

    A drained host receives nothing (it does not count) and ends with
    only what cannot move. Servers on other hosts that do not count
    (disabled, closed to this plan) stay where they are.
    """

    @staticmethod
    def gives(accepts, drain):
        """(H,) bool: hosts whose movable servers a plan may move."""
        return accepts | drain

    @staticmethod
    def must_move(drain, unit_host):
        """(u,) bool: units on hosts being drained."""
        return drain[unit_host]

    @staticmethod
    def keeps(usage, movable):
        """What a drained host ends with: its ``usage`` less what can
        move off it."""
        return usage - movable
