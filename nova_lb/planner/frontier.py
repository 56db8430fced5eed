"""What a plan buys: the best weighted peak for each migration budget.

Admins choose ``[solver] max_migrations`` the way vSphere DRS admins
choose a migration threshold: by weighing the balance gained against the
live migrations it costs. Each point of the frontier is a full plan with
``max_migrations`` set to that budget (made, waved and checked like any
other), so every point is a plan that can be run.
"""

import dataclasses

from nova_lb.planner import planner

#: Migration budgets tried, below the unlimited plan's count.
LADDER = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000,
          50000)


@dataclasses.dataclass(frozen=True)
class Point:
    #: The budget (None: unlimited).
    budget: object
    migrations: int
    #: Weighted peak of the placement the plan's waves reach.
    peak: float
    bound: float


def frontier(snap, options):
    """Points for budgets 0, :data:`LADDER` and unlimited, in order.

    The unlimited plan comes first: the budgets tried are those below its
    migration count. A plan never reports a worse peak than a smaller
    budget's (it could always make that smaller plan), so each point,
    the unlimited one too, keeps the better of the two.
    """
    unlimited = planner.plan(snap, dataclasses.replace(
        options, solver=dataclasses.replace(options.solver,
                                            max_migrations=0)))
    info = unlimited.solver
    points = [Point(0, 0, info['start_objective'], info['bound'])]
    for budget in LADDER:
        if budget >= len(unlimited.migrations):
            break
        plan = planner.plan(snap, dataclasses.replace(
            options, solver=dataclasses.replace(options.solver,
                                                max_migrations=budget)))
        point = Point(budget, len(plan.migrations), plan.solver['objective'],
                      plan.solver['bound'])
        points.append(point if point.peak <= points[-1].peak
                      else dataclasses.replace(points[-1], budget=budget))
    last = Point(None, len(unlimited.migrations), info['objective'],
                 info['bound'])
    # The unlimited plan accepts peaks ``peak_tolerance`` above its best
    # to save migrations: a budgeted plan may reach a lower one.
    points.append(last if last.peak <= points[-1].peak
                  else dataclasses.replace(points[-1], budget=None,
                                           bound=last.bound))
    return points
