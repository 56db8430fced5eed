"""An independent check of a plan against the snapshot it was made from.

The planner builds valid plans by construction; this module does not trust
that. It shares no code with the model builder, the solver or the wave
planner (only the snapshot parser and the Placement capacity formula), and
replays a ``nova-lb-plan/1`` document move by move, reporting *every*
violation rather than the first: a plan an admin is about to run against a
production cloud deserves a complete list of what is wrong with it.

The rules are the ones Nova and the cloud impose on live migrations: only
ACTIVE servers without a task move, within their availability zone, to an
enabled and up host that is not excluded or draining (see
:mod:`nova_lb.planner.rules`); a migration holds its resources on both
hosts until its wave ends; hosts and waves have concurrency limits; hard
server groups hold during and after every wave.
"""

import collections
import dataclasses

import numpy as np

from nova_lb.conf import planner as planner_conf
from nova_lb import contract
from nova_lb.model import snapshot as snapshot_mod
from nova_lb.planner import rules

#: Room for float rounding when comparing usage with a limit.
_TOLERANCE = 1e-6


@dataclasses.dataclass(frozen=True)
class Violation:
    """One thing wrong with a plan; ``wave``/``server``/``host`` may be
    None when they do not apply."""

    kind: str
    wave: object
    server: object
    host: object
    message: str


@dataclasses.dataclass(frozen=True)
class Limits:
    """What the plan was allowed to do: the admin's options as values."""

    #: resource class -> fraction of capacity a host may be filled to.
    ceilings: dict = dataclasses.field(default_factory=dict)
    scope: planner_conf.Scope = planner_conf.Scope()
    draining_aggregate: str = None
    #: live migrations a host may take part in per wave (either end).
    per_host: int = 1
    #: migrations per wave; None for no limit.
    per_wave: int = None


def check(snap, plan, limits=Limits()):
    """Every :class:`Violation` of ``plan`` (a loaded plan document).

    :param snap: a :class:`nova_lb.model.snapshot.Snapshot` or a snapshot
        document.
    """
    if not isinstance(snap, snapshot_mod.Snapshot):
        snap = snapshot_mod.parse(snap)
    replay = _Replay(snap, limits)
    waves = _waves(plan, replay.report)
    for wave in sorted(waves):
        replay.wave(wave, waves[wave])
    return replay.violations


def check_offline(plan, limits=Limits()):
    """The violations of ``plan`` that show without any snapshot.

    A plan file that is malformed, moves a server onto its own source,
    lists a server twice in a wave or with moves that do not follow each
    other, or breaks the wave rules is wrong whatever the cloud looks
    like: ``nova-lb apply`` refuses it as bad input before it contacts
    the cloud. :func:`check` finds all of these too, among the rest.
    """
    violations = []

    def report(*args):
        violations.append(Violation(*args))

    waves = _waves(plan, report)
    last = {}
    for wave in sorted(waves):
        moves = waves[wave]
        if limits.per_wave is not None and len(moves) > limits.per_wave:
            report('wave-size', wave, None, None,
                   'wave %d has %d migrations, more than %d'
                   % (wave, len(moves), limits.per_wave))
        seen = set()
        for i, m in moves:
            server = m['server']
            if m['source'] == m['destination']:
                report('same-host', wave, server, m['source'],
                       'migration %d: server %s: source and destination '
                       'are both %s' % (i, server, m['source']))
            if server in seen:
                report('moved-twice', wave, server, None,
                       'server %s moves twice in wave %d' % (server, wave))
            elif server in last and last[server] != m['source']:
                report('wrong-source', wave, server, m['source'],
                       'migration %d: server %s is moved to %s by an '
                       'earlier migration, not to its stated source %s'
                       % (i, server, last[server], m['source']))
            seen.add(server)
            last[server] = m['destination']
    return violations


def _waves(plan, report):
    """``{wave: [(index, migration)]}`` of the well-formed migrations;
    reports malformed ones and waves out of order."""
    waves = collections.OrderedDict()
    previous = None
    for i, m in _migrations(plan, report):
        if previous is not None and m['wave'] < previous:
            report('wave-order', m['wave'], m['server'], None,
                   'migration %d is in wave %d after a migration in '
                   'wave %d' % (i, m['wave'], previous))
        previous = m['wave']
        waves.setdefault(m['wave'], []).append((i, m))
    return waves


def _migrations(plan, report):
    """``(index, migration)`` for each well-formed migration of ``plan``."""
    if (not isinstance(plan, dict)
            or plan.get('format') != contract.PLAN_FORMAT):
        found = plan.get('format') if isinstance(plan, dict) else plan
        report('format', None, None, None,
               'not a %s document (format %r)' % (contract.PLAN_FORMAT, found))
        return []
    migrations = plan.get('migrations')
    if not isinstance(migrations, list):
        report('format', None, None, None, 'migrations is not a list')
        return []
    result = []
    for i, m in enumerate(migrations):
        if (isinstance(m, dict)
                and all(isinstance(m.get(k), str)
                        for k in ('server', 'source', 'destination'))
                and type(m.get('wave')) is int and m['wave'] >= 0):
            result.append((i, m))
        else:
            report('malformed', None, None, None,
                   'migration %d needs server, source and destination '
                   'strings and a wave number >= 0: %r' % (i, m))
    return result


class _Replay(object):
    """The cloud as the plan goes: where each server is, what each host
    holds, checked wave by wave."""

    def __init__(self, snap, limits):
        self.limits = limits
        self.cloud = rules.SnapshotFacts(snap, limits)
        self.usage = dict(self.cloud.usage)
        self.where = {s.uuid: s.host for s in snap.servers}
        self.violations = []
        self.groups = {}
        for group in snap.server_groups:
            if group.policy in ('affinity', 'anti-affinity'):
                for member in group.members:
                    self.groups[member] = group

    def report(self, kind, wave, server, host, message):
        self.violations.append(Violation(kind, wave, server, host, message))

    def wave(self, wave, moves):
        """Start every move of ``wave``, check the hosts, end the wave."""
        if self.limits.per_wave is not None and len(moves) > \
                self.limits.per_wave:
            self.report('wave-size', wave, None, None,
                        'wave %d has %d migrations, more than %d'
                        % (wave, len(moves), self.limits.per_wave))
        busy, seen, arriving, started = collections.Counter(), set(), {}, []
        for i, m in moves:
            server, dest = m['server'], m['destination']
            if server in seen:
                self.report('moved-twice', wave, server, None,
                            'server %s moves twice in wave %d'
                            % (server, wave))
                continue
            seen.add(server)
            if server not in self.where:
                self.report('unknown-server', wave, server, None,
                            'migration %d: server %s is not in the snapshot'
                            % (i, server))
                continue
            at = self.where[server]
            if at != m['source']:
                self.report('wrong-source', wave, server, m['source'],
                            'server %s is on %s when wave %d starts, not on '
                            'the stated source %s'
                            % (server, at, wave, m['source']))
            why = self.cloud.why_not_movable(server, at)
            if why:
                self.report('not-movable', wave, server, at,
                            'server %s may not move: %s'
                            % (server, '; '.join(why)))
            if at not in self.usage or not self._destination(wave, m, at):
                continue
            demand = self.cloud.demand(server)
            busy[at] += 1
            busy[dest] += 1
            self.usage[dest] = self.usage[dest] + demand
            arriving.setdefault(dest, []).append(server)
            started.append((server, at, dest, demand))
        for host, n in sorted(busy.items()):
            if n > self.limits.per_host:
                self.report('host-concurrency', wave, None, host,
                            'host %s takes part in %d migrations of wave %d, '
                            'more than %d'
                            % (host, n, wave, self.limits.per_host))
        for host, servers in arriving.items():
            self._fits(wave, host, servers)
        self._groups(wave, started)
        for server, at, dest, demand in started:
            self.usage[at] = self.usage[at] - demand
            self.where[server] = dest

    def _destination(self, wave, m, at):
        """Report what is wrong with the destination; False: cannot apply."""
        server, dest = m['server'], m['destination']
        if dest in (m['source'], at):
            self.report('same-host', wave, server, dest,
                        'server %s: source and destination are both %s'
                        % (server, dest))
            return False
        if dest not in self.cloud.snap.services or dest not in self.usage:
            self.report('unknown-destination', wave, server, dest,
                        'server %s: destination %s is not a compute host of '
                        'the snapshot' % (server, dest))
            return False
        for kind, why in self.cloud.destination_problems(dest, at):
            self.report(kind, wave, server, dest,
                        'server %s: destination %s %s' % (server, dest, why))
        return True

    def _fits(self, wave, host, servers):
        """The host holds its sources and arrivals within its limit."""
        used, limit = self.usage[host], self.cloud.limit[host]
        for j in np.flatnonzero(used > limit + _TOLERANCE):
            self.report('over-capacity', wave, None, host,
                        'wave %d: %s would hold %g %s (while %s arrive and '
                        'every source is still charged), over its limit %g'
                        % (wave, host, used[j], self.cloud.classes[j],
                           ', '.join(servers), limit[j]))

    def _groups(self, wave, started):
        """Hard groups hold during and after ``wave``.

        Nova's anti-affinity filter sees a migrating member on its source
        until the migration ends, so no member may arrive on a host another
        member is still leaving in the same wave.
        """
        moved = {server: dest for server, _at, dest, _demand in started
                 if server in self.groups}
        arrived = collections.Counter()
        for server, dest in moved.items():
            group = self.groups[server]
            if group.policy != 'anti-affinity':
                continue
            arrived[group.uuid, dest] += 1
            present = arrived[group.uuid, dest] + sum(
                self.where.get(m) == dest for m in group.members)
            allowed = int(group.rules.get('max_server_per_host', 1))
            if present > allowed:
                self.report('anti-affinity', wave, server, dest,
                            'during wave %d host %s would hold %d members of '
                            'anti-affinity group %s (one leaving counts until '
                            'the wave ends), more than %d'
                            % (wave, dest, present, group.name or group.uuid,
                               allowed))
        groups = {self.groups[s].uuid: self.groups[s] for s in moved}
        for group in groups.values():
            hosts = {moved.get(m, self.where.get(m))
                     for m in group.members} - {None}
            if group.policy == 'affinity' and len(hosts) > 1:
                self.report('affinity', wave, None, None,
                            'after wave %d the affinity group %s is on %s'
                            % (wave, group.name or group.uuid,
                               ', '.join(sorted(hosts))))
