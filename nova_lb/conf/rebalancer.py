"""``[rebalancer]``: how the rebalancer reaches the cloud it balances.

The rebalancer is an API client like any OpenStack CLI: it reads
credentials from ``clouds.yaml`` or ``OS_*`` environment variables, so the
admin keeps one place for them and no password sits in nova-lb.conf.
"""

import dataclasses

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'rebalancer',
    title='Rebalancer',
    help='How nova-lb reads and changes the cloud through its APIs.')

OPTS = [
    cfg.StrOpt(
        'cloud',
        help="""
Name of the cloud in ``clouds.yaml`` whose credentials nova-lb uses.

nova-lb looks ``clouds.yaml`` up where every OpenStack client does
(``./clouds.yaml``, ``~/.config/openstack/``, ``/etc/openstack/``). The
account needs the admin role: nova-lb lists every project's servers and
live-migrates them.

Possible values:

* A cloud name from ``clouds.yaml``.
* Unset (the default): the ``OS_*`` environment variables, or the cloud
  named by ``OS_CLOUD``, as the ``openstack`` command does.

Related options:

* None
"""),
    cfg.StrOpt(
        'automation', default='manual', choices=[
            ('manual', 'compute and publish the plan, move nothing'),
            ('automatic', 'carry the plan out as live migrations')],
        help="""
Whether a rebalancer run moves servers or only proposes the moves.

In ``manual`` mode each run writes its plan to ``plan.json`` in
``state_dir``; an admin reviews it and carries it out with ``nova-lb apply
PLAN.json``, which re-checks it against the cloud first.

Possible values:

* ``manual`` (the default): plan only.
* ``automatic``: plan and execute.

Related options:

* ``state_dir``, ``interval``
"""),
    cfg.IntOpt(
        'interval', default=3600, min=1,
        help="""
Seconds between the starts of two runs of the rebalancer daemon.

A run that lasts longer delays the next one; ``--once`` (for a systemd
timer) ignores this option.

Possible values:

* An integer >= 1, in seconds.

Related options:

* ``cooldown``
"""),
    cfg.IntOpt(
        'cooldown', default=86400, min=0,
        help="""
Seconds during which a server the rebalancer moved is not moved again.

Live migration costs the server a short pause and the network a full copy
of its memory; a server should not bounce between hosts run after run.

Possible values:

* An integer >= 0, in seconds; 0 disables the cooldown.

Related options:

* ``state_dir``: where the last move of each server is remembered.
"""),
    cfg.StrOpt(
        'state_dir', default='/var/lib/nova-lb',
        help="""
Directory of the rebalancer's state: its lock, the servers it moved
recently, the last run's summary and the current plan.

Possible values:

* A directory the rebalancer can write; created if missing. The systemd
  units set ``StateDirectory=nova-lb``, which is ``/var/lib/nova-lb``.

Related options:

* ``coordination_url``, ``cooldown``
"""),
    cfg.StrOpt(
        'coordination_url',
        help="""
tooz coordination backend that lets only one rebalancer run at a time
across machines, e.g. ``etcd3+http://controller:2379``.

Possible values:

* A tooz backend URL; needs the ``tooz`` package.
* Unset (the default): a file lock in ``state_dir``, which only excludes
  rebalancers on the same machine.

Related options:

* ``state_dir``
"""),
    cfg.StrOpt(
        'metrics_file',
        help="""
File to write Prometheus text-format metrics to after each run, for the
node exporter's textfile collector.

Possible values:

* A path, e.g. ``/var/lib/nova-lb/nova_lb.prom``; written atomically.
  The systemd units let the rebalancer write only its state directory:
  another directory needs a ``ReadWritePaths=`` drop-in.
* Unset (the default): no metrics file.

Related options:

* ``state_dir``
"""),
    cfg.IntOpt(
        'hold_runs', default=1, min=1,
        help="""
Consecutive runs that must each find moves worth making before a run
carries them out.

One noisy snapshot (a burst of boots, a host briefly down) should not set
off migrations: with ``hold_runs = 3`` the imbalance must be seen by three
runs in a row, ``interval`` apart, and the third one acts. A run that
finds nothing to do, or that carries a plan out, starts the count again.
The count is kept in ``state_dir``, so it survives restarts.

Possible values:

* An integer >= 1; 1 (the default) acts on the first run that finds moves.

Related options:

* ``interval``, ``state_dir``
"""),
    cfg.FloatOpt(
        'min_gain', default=0.0, min=0.0, max=1.0,
        help="""
Least improvement each migration of an automatic plan must buy, in
weighted peak utilisation (0.05 = 5 percentage points).

Each move is judged on its own: its gain is how much worse the plan's
weighted peak utilisation (over the hosts of its availability zone) would
be if that server stayed where it is. Servers whose move gains less are
left where they are and the plan is made again without them, so a plan
never carries passengers that cost a migration and buy almost nothing.

Possible values:

* A number from 0 to 1; 0 (the default) accepts every move the planner
  proposes.

Related options:

* ``[solver] deadband``: the least gain of a whole plan.
"""),
    cfg.IntOpt(
        'max_migrations_per_day', default=0, min=0,
        help="""
Most live migrations nova-lb may carry out in any 24 hours, counted over
a rolling window across runs and restarts.

Every migration nova-lb completes (rebalancing runs, ``nova-lb apply``,
``nova-lb drain``) counts; only rebalancing runs are held to the budget.
A run plans at most the migrations the budget has left; a run with none
left publishes its plan and moves nothing. The moves are recorded in
``state_dir``.

Possible values:

* An integer >= 1.
* 0 (the default): no daily limit.

Related options:

* ``[solver] max_migrations``: the most migrations of one plan.
"""),
    cfg.MultiStrOpt(
        'allowed_hours', default=[],
        help="""
When rebalancing runs may move servers, in the host's time zone. Outside
these windows a run still plans and publishes its plan, and moves nothing.

Repeat the option for several windows; a run may move servers if the
current time is in any of them.

Possible values:

* ``HH:MM-HH:MM``: every day from the first time (included) to the second
  (excluded); ``22:00-06:00`` spans midnight.
* A cron-like expression of five fields, ``minute hour day-of-month month
  day-of-week`` (``*``, numbers, ``a-b`` ranges, ``a,b`` lists, ``*/n`` and
  ``a-b/n`` steps; day of week 0-7, 0 and 7 are Sunday): the minutes it
  matches, e.g. ``* 1-5 * * 1-5`` is 01:00 to 05:59 on weekdays.
* Unset (the default): any time.

Related options:

* ``interval``
"""),
]


@dataclasses.dataclass(frozen=True)
class Settings:
    """``[rebalancer]`` read once per run (no defaults here: the options
    declare them)."""

    #: clouds.yaml name; None for the OS_* environment.
    cloud: object
    #: ``automation = automatic``: runs move servers, not only plan.
    automatic: bool
    #: Seconds between the daemon's runs.
    interval: int
    #: Seconds a moved server is left alone.
    cooldown: int
    #: Where moved.json, plan.json and last-run.json live.
    state_dir: str
    #: tooz URL of the lock shared by several rebalancers, or None.
    coordination_url: object
    #: node exporter textfile path, or None.
    metrics_file: object
    #: Runs in a row that must find moves worth making before one acts.
    hold_runs: int
    #: Least gain each migration must buy, in weighted peak utilisation.
    min_gain: float
    #: Most migrations over the last 24 hours; 0 no limit.
    max_migrations_per_day: int
    #: ``allowed_hours`` windows; empty means any time.
    allowed_hours: tuple


def load(conf):
    """Read ``[rebalancer]`` from ``conf`` into a :class:`Settings`."""
    group = conf[GROUP.name]
    return Settings(
        cloud=group.cloud,
        automatic=group.automation == 'automatic',
        interval=group.interval,
        cooldown=group.cooldown,
        state_dir=group.state_dir,
        coordination_url=group.coordination_url,
        metrics_file=group.metrics_file,
        hold_runs=group.hold_runs,
        min_gain=group.min_gain,
        max_migrations_per_day=group.max_migrations_per_day,
        allowed_hours=tuple(group.allowed_hours))
