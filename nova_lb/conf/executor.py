"""``[executor]``: how the rebalancer carries out a plan's live migrations.

These options bound what a run may do to a production cloud: how long one
migration may take, how many may fail before the run stops, and how hard
the executor insists when the API misbehaves.
"""

import dataclasses

from oslo_config import cfg

from nova_lb.conf import finite

GROUP = cfg.OptGroup(
    'executor',
    title='Live-migration executor',
    help='How nova-lb-rebalancer, nova-lb apply and nova-lb drain carry '
         'out a plan as Nova live migrations.')

OPTS = [
    cfg.IntOpt(
        'max_parallel_migrations', default=2, min=1,
        help="""
Most live migrations one run keeps in flight at once, over all hosts.

Migrations of one wave start together up to this many; the rest start as
earlier ones end.

Possible values:

* An integer >= 1.

Related options:

* ``max_parallel_per_host``
"""),
    cfg.IntOpt(
        'max_parallel_per_host', default=1, min=1,
        deprecated_opts=[cfg.DeprecatedOpt('max_wave_migrations_per_host',
                                           group='solver')],
        help="""
Most live migrations at once that leave or enter one host: the planner
puts no more into one wave, and the executor keeps no more in flight.

Like Nova's ``[DEFAULT] max_concurrent_live_migrations`` (default 1): a
live migration copies a server's memory over the network of both its
hosts; more than one per host slows every one of them. One option for
both, so that a plan's waves can run as planned.

This option replaces ``[solver] max_wave_migrations_per_host`` (the same
default, 1), which is still read, with a deprecation warning, when this
one is unset.

Possible values:

* An integer >= 1.

Related options:

* ``max_parallel_migrations``, ``[solver] max_wave_migrations``
"""),
    cfg.IntOpt(
        'migration_timeout', default=1800, min=1,
        help="""
Seconds a live migration may run before the executor aborts it.

The abort goes through the API (``DELETE /servers/{id}/migrations/{id}``),
so Nova rolls the server back to its source; the executor then waits for
the rollback as long again before it gives up on the move.

Possible values:

* An integer >= 1, in seconds.

Related options:

* ``poll_interval``
"""),
    finite.FloatOpt(
        'poll_interval', default=5.0, min=0.1,
        help="""
Seconds between two looks at the migrations in flight.

Possible values:

* A number >= 0.1, in seconds.

Related options:

* ``migration_timeout``
"""),
    cfg.IntOpt(
        'max_failures', default=3, min=1,
        help="""
Failed or aborted migrations after which a run starts no further one.

Migrations in flight when the limit is reached are still waited for.

Possible values:

* An integer >= 1.

Related options:

* ``[rebalancer] interval``: the next run plans afresh.
"""),
    cfg.IntOpt(
        'api_retries', default=4, min=0,
        help="""
How often a Keystone, Nova or Placement call that failed with a server
error (HTTP 5xx), a refused connection, a timeout or a failed version
discovery (the service was down) is tried again.

Applies to every command that talks to the cloud (``nova-lb snapshot``,
``plan``, ``apply``, ``drain``, ``undrain`` and the rebalancer). Waits
between tries double, starting at ``api_retry_delay``. A call that still
fails ends the run with one line naming the service and the call; the
daemon tries again at its next interval.

Possible values:

* An integer >= 0; 0 tries each call once.

Related options:

* ``api_retry_delay``
"""),
    finite.FloatOpt(
        'api_retry_delay', default=2.0, min=0.0,
        help="""
Seconds to wait before the first retry of a failed API call; each further
retry waits twice as long.

Possible values:

* A number >= 0, in seconds.

Related options:

* ``api_retries``
"""),
    cfg.FloatOpt(
        'api_connect_timeout', default=10.0, min=0.1,
        help="""
Seconds to wait for a Keystone, Nova or Placement endpoint to accept a
connection.

A call that times out is retried as ``api_retries`` says.

Possible values:

* A number >= 0.1, in seconds.

Related options:

* ``api_read_timeout``, ``api_retries``
"""),
    cfg.FloatOpt(
        'api_read_timeout', default=60.0, min=0.1,
        help="""
Seconds to wait for an answer from a Keystone, Nova or Placement endpoint
that accepted the connection (precisely: the longest silence while
reading its answer).

An endpoint that accepts connections and never answers (a wedged API
behind its load balancer) then costs a run at most this long per try,
instead of hanging it, and the rebalancing lock with it, forever. Large
clouds whose ``GET /servers/detail`` takes long need more.

Possible values:

* A number >= 0.1, in seconds.

Related options:

* ``api_connect_timeout``, ``api_retries``
"""),
]


@dataclasses.dataclass(frozen=True)
class Settings:
    """``[executor]`` read once per run."""

    max_parallel: int
    max_per_host: int
    migration_timeout: float
    poll_interval: float
    max_failures: int
    api_retries: int
    api_retry_delay: float
    api_connect_timeout: float
    api_read_timeout: float


def load(conf):
    """Read ``[executor]`` from ``conf`` into a :class:`Settings`."""
    group = conf[GROUP.name]
    return Settings(
        max_parallel=group.max_parallel_migrations,
        max_per_host=group.max_parallel_per_host,
        migration_timeout=group.migration_timeout,
        poll_interval=group.poll_interval,
        max_failures=group.max_failures,
        api_retries=group.api_retries,
        api_retry_delay=group.api_retry_delay,
        api_connect_timeout=group.api_connect_timeout,
        api_read_timeout=group.api_read_timeout)
