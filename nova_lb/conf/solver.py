"""``[solver]``: how hard the planner tries and how much churn it accepts.

Read once per plan by :meth:`nova_lb.solver.result.Options.from_conf` and
the planner (the wave size); the solver itself never reads configuration.
"""

from oslo_config import cfg

from nova_lb.conf import finite

GROUP = cfg.OptGroup(
    'solver',
    title='Rebalancing planner',
    help='How nova-lb plan and nova-lb-rebalancer compute a plan: the time '
         'the solver may take, how many migrations a plan may hold and how '
         'they are grouped into waves.')

ALLOCATIONS = 'allocations'
MEASURED = 'measured'

OPTS = [
    cfg.StrOpt(
        'balance', default=ALLOCATIONS, choices=[ALLOCATIONS, MEASURED],
        help="""
What load the planner balances.

Placement capacity (allocations, allocation ratios, ceilings) is a hard
constraint in both modes, so every move is one Nova's scheduler accepts.

Possible values:

* ``allocations`` (the default): what flavors reserve in Placement.
* ``measured``: what servers really use, read from Prometheus
  (``[metrics]``): a host's load is the sum of its servers' measured CPU
  cores and memory over its physical capacity (inventory total minus
  reserved, no allocation ratio). A server without data counts at its
  allocation and is listed in the plan.

Related options:

* ``[metrics] prometheus_url`` is required for ``measured``.
* ``[metrics] on_failure``
"""),
    finite.FloatOpt(
        'time_limit', default=10.0, min=0.5, max=86400,
        help="""
Seconds the solver may spend on one plan, over all availability zones.

The exact model (HiGHS) stops at this limit and the best valid plan found
so far is used; a fast heuristic plan is always available as a fallback,
so a short limit gives a valid but possibly less balanced plan.

When no order of waves can carry out some moves (every host they need
stays full), the plan is solved again around them, at most twice, each
time in half this limit: such a plan can take up to twice this limit.

Possible values:

* A number of seconds from 0.5 to 86400 (a day).

Related options:

* ``peak_tolerance``
"""),
    cfg.IntOpt(
        'threads', default=0, min=0,
        help="""
Threads the solver plans availability zones with, side by side.

HiGHS leaves Python's lock while it solves, so zones planned in threads
use the machine's other cores: on two cores, a cloud of two 500-host
zones gets twice the solver time per zone within ``time_limit``. The
zones' relaxations always run side by side; their plans do without a
``max_migrations`` budget (the zones share it, in turn), for the zones
too large for one exact model (a few hundred hosts). Smaller zones follow
in turn, each aiming no lower than the peaks the zones before it reached.

Possible values:

* ``0`` (the default): one per CPU core this process may run on, at most
  one per zone.
* ``1``: one zone after another, on one core.
* A positive integer: at most that many, and one per zone.

Under eventlet's monkey-patching (threads that take turns) the solver
uses one.

Related options:

* ``time_limit``, ``max_migrations``
"""),
    cfg.IntOpt(
        'max_migrations', default=0, min=0,
        help="""
Most live migrations one plan may hold.

The solver then finds the best balance reachable with that many moves:
it spends them where the cloud's weighted peak drops most (a target
shared by all availability zones, the budget split over them by what
each needs). ``nova-lb plan --frontier`` shows what each budget buys.

Possible values:

* ``0`` (the default): no limit.
* A positive integer.

Related options:

* ``migration_cost``, ``deadband``
"""),
    finite.FloatOpt(
        'deadband', default=0.02, min=0.0, max=1.0,
        help="""
Utilisation gain below which the planner does nothing.

A zone whose weighted peak utilisation is within this of its proven lower
bound, or where the best plan would lower it by less than this, gets no
migration: moving servers costs more than such a gain is worth.

Possible values:

* A fraction in [0, 1], e.g. ``0.02`` for two percentage points.

Related options:

* ``[nova_lb] resource_weights`` weighs the resource classes' peaks.
"""),
    finite.FloatOpt(
        'peak_tolerance', default=0.005, min=0.0, max=1.0,
        help="""
How far above the lowest peak found a plan may stay to save migrations.

The solver first finds the lowest weighted peak utilisation, then the
cheapest set of migrations whose peaks are within this of it.

Possible values:

* A fraction in [0, 1]; ``0`` insists on the lowest peak whatever the
  churn.
* ``0.005`` (the default): within half a percentage point. On clouds of a
  thousand hosts and more, plans end that far above the best found, and
  it is most of their distance to the proven bound.
* ``0.01`` (the default before this release) moves a few percent fewer
  servers there, for peaks up to a point above the best.

Related options:

* ``migration_cost``
"""),
    finite.FloatOpt(
        'migration_cost', default=0.1, min=0.0,
        help="""
Extra cost of a migration per average server's worth of RAM it copies.

Each migration costs 1, plus this times its server's RAM divided by the
mean RAM of the zone's movable servers. A higher value makes the planner
move small servers rather than big ones, which take long to copy. The
default counts migrations first (each is a live migration's risk) and
lets RAM choose among plans of about as many: only a server of more than
ten times the mean RAM costs as much as two average ones.

Possible values:

* A number >= 0; ``0`` only counts migrations (HiGHS then has many equally
  cheap plans to tell apart and may need longer to prove the cheapest).
* ``1`` (the default before this release) weighs RAM heavily: plans may
  make twice as many migrations of small servers to leave a big one.

Related options:

* ``peak_tolerance``
"""),
    cfg.IntOpt(
        'max_wave_migrations', default=0, min=0,
        help="""
Most migrations in one wave.

Possible values:

* ``0`` (the default): as many as the per-host limit allows.
* A positive integer.

Related options:

* ``[executor] max_parallel_per_host``, ``[executor]
  max_parallel_migrations``
"""),
]
