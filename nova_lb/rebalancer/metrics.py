"""Prometheus text-format metrics of the last run, for the node exporter.

The node exporter's textfile collector reads every ``*.prom`` file in its
directory; the file is replaced atomically, so it never reads half of one.
"""

from nova_lb import atomicfile
from nova_lb.rebalancer import outcome as outcome_mod
from nova_lb.rebalancer import policy

PREFIX = 'nova_lb_rebalancer_'

_METRICS = (
    # name, type, help, summary key
    ('last_run_timestamp_seconds', 'gauge',
     'When the last run ended (Unix time).', 'ended_at'),
    ('last_run_duration_seconds', 'gauge',
     'How long the last run took.', 'duration'),
    ('last_run_success', 'gauge',
     '0 if the last run needs an admin (partly failed, all failed, '
     'aborted), else 1.', 'success'),
    ('planned_moves', 'gauge',
     'Live migrations in the last plan.', 'planned'),
    ('moves_done', 'gauge',
     'Live migrations the last run completed.', 'done'),
    ('moves_failed', 'gauge',
     'Live migrations the last run saw fail or abort.', 'failed'),
    ('moves_skipped', 'gauge',
     'Planned moves the last run skipped after its pre-checks.', 'skipped'),
    ('plan_gap', 'gauge',
     'Weighted peak of the last plan minus the proven bound.', 'gap'),
    ('cloud_imbalance_score_before', 'gauge',
     'Imbalance score of the cloud (0-1) before the last plan.',
     'imbalance_before'),
    ('cloud_imbalance_score_after', 'gauge',
     'Imbalance score of the cloud (0-1) after the last plan.',
     'imbalance_after'),
    ('hosts_draining', 'gauge',
     'Compute hosts in the draining aggregate.', 'draining_hosts'),
    ('leftovers', 'gauge',
     'Allocations left behind by failed moves, seen by the last run.',
     'leftovers'),
    ('last_success_timestamp_seconds', 'gauge',
     'When a run last ended without error (Unix time).', 'last_success_at'),
    ('interval_seconds', 'gauge',
     'Configured seconds between runs ([rebalancer] interval).', 'interval'),
    ('migrations_last_day', 'gauge',
     'Migrations nova-lb completed in the last 24 hours.',
     'migrations_last_day'),
)

_UTILISATION = (
    ('utilisation_peak', 'peak', 'Highest host utilisation'),
    ('utilisation_stddev', 'stddev',
     'Standard deviation of host utilisation'),
    ('imbalance_score', 'imbalance',
     'Imbalance score (0-1: coefficient of variation, clamped)'),
)

#: Every churn policy, so that a dashboard sees 0 for those that did not
#: hold the last run back.
_POLICIES = (policy.HOLD_RUNS, policy.MIN_GAIN, policy.DAILY_BUDGET,
             policy.ALLOWED_HOURS, policy.PING_PONG)


#: Summary key, metric suffix, what its figures are.
_WHEN = (('before', 'before', 'measured before the last run acted'),
         ('after', 'after', 'measured after the last run'),
         ('predicted_after', 'predicted',
          'the last plan predicted after its moves'))


def render(summary):
    """The metrics of a run summary (see :mod:`nova_lb.rebalancer.run`)."""
    lines = []
    for name, kind, text, key in _METRICS:
        value = summary.get(key)
        if isinstance(value, (list, tuple)):
            value = len(value)
        if value is None:
            continue
        lines += ['# HELP %s%s %s' % (PREFIX, name, text),
                  '# TYPE %s%s %s' % (PREFIX, name, kind),
                  '%s%s %s' % (PREFIX, name, _number(value))]
    if summary.get('outcome'):
        full = PREFIX + 'last_run_outcome'
        lines += ['# HELP %s 1 for the outcome of the last run, 0 for the '
                  'others.' % full, '# TYPE %s gauge' % full]
        lines += ['%s{outcome="%s"} %s' % (
            full, o.name, _number(o.name == summary['outcome']))
            for o in outcome_mod.ALL]
    for name, stat, text in _UTILISATION:
        for key, suffix, what in _WHEN:
            usage = summary.get(key) or {}
            full = '%s%s_%s' % (PREFIX, name, suffix)
            samples = ['%s{resource_class="%s"} %s'
                       % (full, rc, _number(values[stat]))
                       for rc, values in sorted(usage.items())
                       if values.get(stat) is not None]
            if samples:
                lines += ['# HELP %s %s per resource class, %s.'
                          % (full, text, what),
                          '# TYPE %s gauge' % full] + samples
    if summary.get('kind') == 'rebalance':
        full = PREFIX + 'held_back'
        held = set(summary.get('held_by', ()))
        lines += ['# HELP %s 1 if this churn policy held the last '
                  'rebalancing run back, else 0.' % full,
                  '# TYPE %s gauge' % full]
        lines += ['%s{policy="%s"} %s' % (full, name,
                                          _number(name in held))
                  for name in _POLICIES]
    return '\n'.join(lines) + '\n'


def write(path, summary):
    atomicfile.write(path, render(summary))


def _number(value):
    return repr(float(value))
