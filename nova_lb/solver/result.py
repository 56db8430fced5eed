"""What the solver is asked and what it answers: plain frozen data.

The solver reads no configuration: :meth:`Options.from_conf` turns the
``[solver]`` group (declared in :mod:`nova_lb.conf.solver`) into
:class:`Options` once per run, and tests build :class:`Options` directly.
"""

import dataclasses

#: Statuses of a :class:`Result`. Failure is a status, never an exception.
OPTIMAL = 'optimal'            # proven within peak_tolerance of the best
FEASIBLE = 'feasible'          # a valid plan, not proven best
DEADBAND = 'within-deadband'   # already balanced enough: nothing to do
NO_MOVES = 'no-moves'          # nothing can move, or no move helps
INFEASIBLE = 'infeasible'      # no valid plan found: empty plan


@dataclasses.dataclass(frozen=True)
class Options:
    """How hard to try and how much churn to accept; see ``[solver]``."""

    #: Seconds the whole solve may take (all zones together).
    time_limit: float = 10.0
    #: Most migrations in one plan; 0 means no limit.
    max_migrations: int = 0
    #: Threads that plan zones side by side; 0: one per core.
    threads: int = 0
    #: Do nothing while the weighted peak is within this of the bound.
    deadband: float = 0.02
    #: Peaks may exceed the best found by this much to save migrations.
    peak_tolerance: float = 0.005
    #: Extra cost of moving a server, per mean server's worth of RAM.
    migration_cost: float = 0.1
    #: Largest exact model (candidate moves) of a zone; larger zones are
    #: solved by heuristics and HiGHS on small neighbourhoods.
    max_candidates: int = 20000
    #: Host names to empty: every movable server on them must leave.
    drain: frozenset = frozenset()

    @classmethod
    def from_conf(cls, conf):
        """``[solver]`` of ``conf`` read once, for one plan."""
        group = conf.solver
        return cls(time_limit=group.time_limit,
                   max_migrations=group.max_migrations,
                   threads=group.threads,
                   deadband=group.deadband,
                   peak_tolerance=group.peak_tolerance,
                   migration_cost=group.migration_cost)


@dataclasses.dataclass(frozen=True)
class Result:
    """Where every movable server should be, and how sure the solver is.

    ``objective`` is the weighted peak utilisation the new locations reach
    (weights scaled to sum to 1, so it reads as a utilisation); ``bound``
    is a proven lower bound on the weighted peak of every valid plan (the
    linear relaxation of the real problem, see
    :meth:`nova_lb.solver.shapes.ShapeCountModel.relaxed`); ``gap`` is their
    difference. ``zones`` has the same figures per availability zone.
    """

    status: str
    location: object
    objective: float
    bound: float
    gap: float
    time: float
    message: str
    zones: dict = dataclasses.field(default_factory=dict)
    pinned: dict = dataclasses.field(default_factory=dict)

    def info(self, emitted, tolerance):
        """The plan's ``solver`` block, for the placement the waves reach.

        :param emitted: the weighted peak of that placement; it replaces
            the solver's own ``objective`` (kept as ``solver_objective``)
            whenever the waves left a move out.
        :param tolerance: ``peak_tolerance``: a plan further than that
            above the bound is not called optimal.
        """
        gap = max(emitted - self.bound, 0.0)
        status = self.status
        if status == OPTIMAL and gap > tolerance + 1e-6:
            status = FEASIBLE
        return {'status': status, 'objective': emitted,
                'bound': self.bound, 'gap': gap,
                'solver_objective': self.objective,
                'time': round(self.time, 3), 'message': self.message,
                'zones': self.zones}
