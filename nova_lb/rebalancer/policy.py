"""The churn policy: when a rebalancing run may move servers, and which.

Every balancer that runs unattended meets the same complaints: migration
storms, servers bouncing between hosts, moves at the busiest hour, moves
that cost a migration and buy nothing. The ``[rebalancer]`` options
against them are all enforced here, and nowhere else:

* ``min_gain``: a server whose move buys less (its marginal gain, see
  :mod:`nova_lb.planner.gain`) stays where it is, and the plan is made
  again without it;
* ping-pong: a server never goes back to a host it left less than
  ``cooldown`` seconds ago (rebalancing already spares recently moved
  servers; a drain moves them anyway, but not back: the host is closed
  to that drain's plan);
* ``max_migrations_per_day``: a plan gets at most the migrations left in
  the rolling 24-hour budget; with none left, nothing moves;
* ``hold_runs``: moves wait until that many consecutive runs found some;
* ``allowed_hours``: outside the windows, nothing moves.

The first two shape the plan; the last three decide whether a run carries
it out. A run held back still publishes its plan, and its summary names
the policies that held it (``held_by``) and why (``held``).

What the policy remembers lives in ``churn.json`` in ``state_dir``: the
migrations of the last day (or cooldown, if longer) with their hosts, and
how many consecutive runs found moves. It is rewritten atomically after
every migration, so a restarted rebalancer keeps its budget.
"""

import dataclasses
import datetime
import re
import time

from oslo_log import log as logging

from nova_lb import exception

LOG = logging.getLogger(__name__)

#: The policy's file in ``state_dir``.
LEDGER = 'churn.json'
DAY = 86400

HOLD_RUNS = 'hold_runs'
MIN_GAIN = 'min_gain'
DAILY_BUDGET = 'max_migrations_per_day'
ALLOWED_HOURS = 'allowed_hours'
PING_PONG = 'ping-pong'

#: Plans made at most, each without the servers the previous one moved
#: against the policy; what still breaks it holds the run.
MAX_PLANS = 4

_HHMM = re.compile(r'^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$')
#: Cron fields: (name, lowest, highest).
_CRON_FIELDS = (('minute', 0, 59), ('hour', 0, 23), ('day of month', 1, 31),
                ('month', 1, 12), ('day of week', 0, 7))


@dataclasses.dataclass(frozen=True)
class DailyWindow:
    """``HH:MM-HH:MM`` every day; the end is excluded; may span midnight."""

    text: str
    start: int
    end: int

    def allows(self, moment):
        minute = moment.hour * 60 + moment.minute
        if self.start <= self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end


@dataclasses.dataclass(frozen=True)
class CronWindow:
    """The minutes a five-field cron expression matches.

    As cron does, when both day of month and day of week are restricted a
    day matching either is allowed.
    """

    text: str
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset
    any_day: bool
    any_weekday: bool

    def allows(self, moment):
        weekday = (moment.weekday() + 1) % 7      # cron: 0 is Sunday
        day_ok = moment.day in self.days
        weekday_ok = weekday in self.weekdays
        if self.any_day or self.any_weekday:
            on_day = day_ok and weekday_ok
        else:
            on_day = day_ok or weekday_ok
        return (moment.minute in self.minutes and moment.hour in self.hours
                and moment.month in self.months and on_day)


def parse_window(text):
    """A window of ``[rebalancer] allowed_hours``.

    :raises nova_lb.exception.InvalidConfig: naming the value and what is
        wrong with it.
    """
    value = text.strip()
    match = _HHMM.match(value)
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return DailyWindow(value, h1 * 60 + m1, h2 * 60 + m2)
    fields = value.split()
    if len(fields) != len(_CRON_FIELDS):
        raise exception.InvalidConfig(
            '[rebalancer] allowed_hours %r: neither HH:MM-HH:MM nor a '
            'cron-like expression of 5 fields' % text)
    sets = [_cron_field(field, name, low, high, text)
            for field, (name, low, high) in zip(fields, _CRON_FIELDS)]
    weekdays = frozenset(d % 7 for d in sets[4])
    return CronWindow(value, sets[0], sets[1], sets[2], sets[3], weekdays,
                      any_day=fields[2] == '*', any_weekday=fields[4] == '*')


def _cron_field(field, name, low, high, text):
    values = set()
    for item in field.split(','):
        match = re.match(r'^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$', item)
        if not match:
            raise exception.InvalidConfig(
                '[rebalancer] allowed_hours %r: bad %s %r' % (text, name,
                                                               item))
        star, first, last, step = match.groups()
        if star == '*':
            first, last = low, high
        else:
            first = int(first)
            last = int(last) if last is not None else (
                high if step else first)
        step = int(step) if step else 1
        if not low <= first <= last <= high or step < 1:
            raise exception.InvalidConfig(
                '[rebalancer] allowed_hours %r: %s %r is outside %d-%d'
                % (text, name, item, low, high))
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What the policy made of one run's plan.

    ``held`` is ``((policy, why), ...)``: empty if the run may move.
    ``pinned`` is ``{server uuid: why}``: servers the policy kept in
    place while planning.
    """

    held: tuple = ()
    pinned: dict = dataclasses.field(default_factory=dict)

    def summary(self):
        """The keys a run summary gains (kept apart from its outcome)."""
        result = {}
        if self.held:
            result['held_by'] = [policy for policy, _ in self.held]
            result['held'] = '; '.join('%s: %s' % item for item in self.held)
        if self.pinned:
            kept = {}
            for why in self.pinned.values():
                policy = why.split(':')[0]
                kept[policy] = kept.get(policy, 0) + 1
            result['kept_by_policy'] = kept
        return result


class Churn(object):
    """The churn policy of one run, from ``[rebalancer]`` settings."""

    def __init__(self, settings, state):
        """
        :raises nova_lb.exception.InvalidConfig: a bad ``allowed_hours``.
        """
        self.settings = settings
        self.windows = tuple(parse_window(text)
                             for text in settings.allowed_hours)
        self._state = state

    # -- the ledger -------------------------------------------------------

    def _ledger(self):
        ledger = self._state.read(LEDGER) or {}
        return {'moves': list(ledger.get('moves', ())),
                'imbalanced_runs': int(ledger.get('imbalanced_runs', 0))}

    def _keep_for(self):
        return max(DAY, self.settings.cooldown)

    def record(self, migration, now):
        """Remember a completed ``migration`` (a plan's Migration)."""
        ledger = self._ledger()
        ledger['moves'] = [m for m in ledger['moves']
                           if now - m['at'] < self._keep_for()]
        ledger['moves'].append({'at': now, 'server': migration.server,
                                'source': migration.source,
                                'destination': migration.destination})
        self._state.write(LEDGER, ledger)

    def migrations_last_day(self, now):
        return sum(1 for m in self._ledger()['moves'] if now - m['at'] < DAY)

    def budget_left(self, now):
        """Migrations the daily budget has left; None without a budget."""
        if not self.settings.max_migrations_per_day:
            return None
        return max(self.settings.max_migrations_per_day
                   - self.migrations_last_day(now), 0)

    # -- shaping the plan -------------------------------------------------

    def plan(self, make_plan, now, draining=False):
        """A plan that respects ``min_gain``, ping-pong and the budget.

        :param make_plan: ``(pinned, closed, max_migrations) -> Plan``;
            ``pinned`` is ``{server uuid: why}``, ``closed`` hosts that
            may receive nothing, ``max_migrations`` None for no cap.
        :param draining: for a drain, whose servers must leave and whose
            moves empty a host rather than buy balance: no ``min_gain``,
            and a host a server would go back to is closed to this plan
            instead of the server being kept on the draining host.
        :returns: ``(plan, Verdict)``; the verdict holds the run if the
            last plan still broke the policy.
        """
        left = self.budget_left(now)
        cap = left or None
        left_hosts = self._departures(now)
        pinned, closed = {}, set()
        for _ in range(MAX_PLANS):
            plan = make_plan(dict(pinned), frozenset(closed), cap)
            unwanted = self._unwanted(plan, left_hosts, now, not draining)
            if not unwanted:
                return plan, Verdict(pinned=pinned)
            if draining:
                closed.update(m.destination for m in plan.migrations
                              if m.server in unwanted)
                LOG.info('Drain plan closed to %(hosts)s: %(why)s',
                         {'hosts': ', '.join(sorted(closed)),
                          'why': '; '.join(unwanted.values())})
            else:
                pinned.update(unwanted)
        policies = sorted({why.split(':')[0] for why in unwanted.values()})
        return plan, Verdict(held=tuple(
            (policy, '%d moves still break it after %d plans'
             % (sum(1 for why in unwanted.values()
                    if why.startswith(policy)), MAX_PLANS))
            for policy in policies), pinned=pinned)

    def _departures(self, now):
        """``{(server, host): when it left}`` within the cooldown."""
        return {(m['server'], m['source']): m['at']
                for m in self._ledger()['moves']
                if now - m['at'] < self.settings.cooldown}

    def _unwanted(self, plan, left_hosts, now, judge_gain):
        unwanted = {}
        for m in plan.migrations:
            left_at = left_hosts.get((m.server, m.destination))
            if left_at is not None:
                unwanted[m.server] = (
                    '%s: would go back to %s, which it left %ds ago '
                    '(cooldown %ds)' % (PING_PONG, m.destination,
                                        now - left_at,
                                        self.settings.cooldown))
            elif (judge_gain and m.gain is not None
                  and m.gain < self.settings.min_gain):
                unwanted[m.server] = (
                    '%s: its move gains %.3f, less than %.3f'
                    % (MIN_GAIN, m.gain, self.settings.min_gain))
        return unwanted

    # -- deciding the run -------------------------------------------------

    def decide(self, plan, verdict, now, record=True):
        """The final :class:`Verdict` of a rebalancing run on ``plan``.

        Counts the run towards ``hold_runs`` (unless ``record`` is False,
        e.g. a dry run); a run that will move servers starts the count
        again.
        """
        held = list(verdict.held)
        ledger = self._ledger()
        runs = ledger['imbalanced_runs'] + 1 if plan.migrations else 0
        if plan.migrations:
            if runs < self.settings.hold_runs:
                held.append((HOLD_RUNS, 'moves found by %d of the %d '
                             'consecutive runs needed' % (
                                 runs, self.settings.hold_runs)))
            left = self.budget_left(now)
            if left is not None and len(plan.migrations) > left:
                held.append((DAILY_BUDGET, '%d migrations planned, %d of '
                             'the %d allowed in 24 h left' % (
                                 len(plan.migrations), left,
                                 self.settings.max_migrations_per_day)))
            if self.windows and not self.allows(now):
                held.append((ALLOWED_HOURS, '%s is outside %s' % (
                    time.strftime('%H:%M %Z', time.localtime(now)),
                    ', '.join(w.text for w in self.windows))))
        if plan.migrations and not held:
            runs = 0
        if record and runs != ledger['imbalanced_runs']:
            ledger['imbalanced_runs'] = runs
            self._state.write(LEDGER, ledger)
        for policy, why in held:
            LOG.info('Run held back by %(policy)s: %(why)s',
                     {'policy': policy, 'why': why})
        return Verdict(held=tuple(held), pinned=verdict.pinned)

    def allows(self, now):
        """Whether ``allowed_hours`` lets servers move at ``now``."""
        moment = datetime.datetime.fromtimestamp(now)
        return any(w.allows(moment) for w in self.windows)
