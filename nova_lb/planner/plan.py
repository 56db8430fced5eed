"""A plan: migrations in waves, and the ``nova-lb-plan/1`` JSON form."""

import dataclasses

from nova_lb import contract


@dataclasses.dataclass(frozen=True)
class Migration:
    server: str
    source: str
    destination: str
    wave: int
    #: What moving this server buys (see :mod:`nova_lb.planner.gain`);
    #: None when unknown (a plan file written without it).
    gain: float = None

    def to_json(self):
        document = dataclasses.asdict(self)
        if self.gain is None:
            del document['gain']
        return document


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the planner proposes; the executor and ``nova-lb apply`` read it.

    ``before``/``after`` are ``{resource class: {peak, mean, stddev,
    imbalance}}`` over the hosts the plan was allowed to use, and
    ``imbalance`` the cloud's imbalance score ``{before, after}`` (see
    :func:`nova_lb.model.cost.cloud_imbalance`). ``solver`` holds the solver's
    status, objective, proven bound and gap; ``left_alone`` says, per
    server, why it was not moved; ``left_out`` lists moves the solver
    wanted but no safe order allowed, with the reason.
    """

    migrations: tuple
    before: dict
    after: dict
    solver: dict = dataclasses.field(default_factory=dict)
    left_alone: dict = dataclasses.field(default_factory=dict)
    left_out: tuple = ()
    #: Allocations failed moves left behind (``Leftover.to_json()``
    #: dicts): servers and hosts no move of this plan touches.
    leftovers: tuple = ()
    imbalance: dict = dataclasses.field(default_factory=dict)
    #: What load was balanced: ``{"balance": "allocations"}`` or, for
    #: measured load, also the servers counted at their allocation.
    load: dict = dataclasses.field(default_factory=dict)

    @property
    def waves(self):
        """Migrations grouped by wave, in order."""
        grouped = {}
        for m in self.migrations:
            grouped.setdefault(m.wave, []).append(m)
        return [tuple(grouped[w]) for w in sorted(grouped)]

    def to_json(self):
        return {
            'format': contract.PLAN_FORMAT,
            'migrations': [m.to_json() for m in self.migrations],
            'before': self.before,
            'after': self.after,
            'solver': self.solver,
            'left_alone': self.left_alone,
            'left_out': list(self.left_out),
            'leftovers': list(self.leftovers),
            'imbalance': self.imbalance,
            'load': self.load,
        }

    @classmethod
    def from_json(cls, document):
        """A Plan from a ``nova-lb-plan/1`` document (e.g. a reviewed file).

        :raises ValueError: the document is not such a plan.
        """
        if (not isinstance(document, dict)
                or document.get('format') != contract.PLAN_FORMAT):
            raise ValueError('not a %s document' % contract.PLAN_FORMAT)
        try:
            migrations = tuple(
                Migration(m['server'], m['source'], m['destination'],
                          int(m['wave']), m.get('gain'))
                for m in _part(document, 'migrations', list, required=True))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError('malformed migration in %s document: %s'
                             % (contract.PLAN_FORMAT, e))
        return cls(migrations=migrations,
                   before=_part(document, 'before', dict),
                   after=_part(document, 'after', dict),
                   solver=_part(document, 'solver', dict),
                   left_alone=_part(document, 'left_alone', dict),
                   left_out=tuple(_part(document, 'left_out', list)),
                   leftovers=tuple(_part(document, 'leftovers', list)),
                   imbalance=_part(document, 'imbalance', dict),
                   load=_part(document, 'load', dict))


def _part(document, key, kind, required=False):
    """``document[key]`` if it is a ``kind``; ``kind()`` if absent and not
    ``required``.

    :raises ValueError: naming the key.
    """
    if key not in document and not required:
        return kind()
    value = document.get(key)
    if not isinstance(value, kind):
        raise ValueError('%s in a %s document is not a %s'
                         % (key, contract.PLAN_FORMAT, kind.__name__))
    return value
