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
]


@dataclasses.dataclass(frozen=True)
class Settings:
    """``[rebalancer]`` read once per run."""

    cloud: object
    automatic: bool
    interval: int
    cooldown: int
    state_dir: str
    coordination_url: object
    metrics_file: object


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
        metrics_file=group.metrics_file)
