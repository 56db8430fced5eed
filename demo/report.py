"""What the admin sees: utilisation tables, the plan, a before/after chart."""

import matplotlib

matplotlib.use('Agg')  # noqa: E402  (a file, never a window)
from matplotlib import pyplot

from demo import usage

_STATS = ('peak', 'stddev')


def _pct(value):
    return '%3.0f' % (100 * value)


def _cell(before, after):
    return before if after is None else '%s -> %s' % (before, after)


def table(hosts, before, after=None, servers_before=None,
          servers_after=None, classes=usage.CLASSES):
    """Per-host utilisation in %, with ``before -> after`` if ``after``.

    :param hosts: the cloud's ``Host`` tuples (for their sizes).
    :param before: ``[HostUsage]`` in the same order; ``after`` likewise.
    :param servers_before: ``{host: number of servers}``; optional.
    :param classes: the columns (``measured:VCPU`` with ``--load
        measured``).
    """
    width = 12 if after is None else 14
    head = ('%-8s %5s %7s %8s  %-*s' % ('host', 'vCPUs', 'RAM GB', 'disk GB',
                                          width, 'servers')
            + ''.join('%-*s' % (width, rc + ' %') for rc in classes))
    lines = [head, '-' * len(head)]
    for i, host in enumerate(hosts):
        count = _cell('%3d' % (servers_before or {}).get(host.name, 0),
                      None if after is None else
                      '%d' % (servers_after or {}).get(host.name, 0))
        lines.append(
            '%-8s %5d %7d %8d  %-*s' % (host.name, host.vcpus,
                                        host.memory_mb // 1024, host.disk_gb,
                                        width, count)
            + ''.join('%-*s' % (width, _cell(
                _pct(before[i].utilisation(rc)),
                None if after is None else _pct(after[i].utilisation(rc))))
                for rc in classes))
    lines.append('-' * len(head))
    stats_before = usage.summary(before, classes)
    stats_after = (usage.summary(after, classes) if after is not None
                   else None)
    for stat in _STATS:
        lines.append('%-*s' % (len(head) - width * len(classes), stat)
                     + ''.join('%-*s' % (width, _cell(
                         _pct(stats_before[rc][stat]),
                         None if stats_after is None else
                         _pct(stats_after[rc][stat])))
                         for rc in classes))
    lines.append('%-*s' % (len(head) - width * len(classes), 'imbalance')
                 + ''.join('%-*s' % (width, _cell(
                     '%.2f' % stats_before[rc]['imbalance'],
                     None if stats_after is None else
                     '%.2f' % stats_after[rc]['imbalance']))
                     for rc in classes))
    lines.append('(%: Placement usage / capacity, capacity = (total - '
                 'reserved) x allocation ratio)')
    if len(classes) > len(usage.CLASSES):
        lines.append('(measured:VCPU %: cores the servers use, as '
                     'Prometheus measures them / physical cores)')
    lines.append('Imbalance score of the cloud (0 balanced, 1 badly '
                 'unbalanced): %s' % _cell(
                     '%.2f' % usage.cloud_imbalance(stats_before),
                     None if stats_after is None else
                     '%.2f' % usage.cloud_imbalance(stats_after)))
    return '\n'.join(line.rstrip() for line in lines)


def plan(document, booted, classes=usage.CLASSES):
    """The plan's waves and moves, and what the planner expects.

    :param booted: ``{server id: demo.load.Booted}``.
    """
    lines = []
    waves = {}
    for m in document['migrations']:
        waves.setdefault(m['wave'], []).append(m)
    for wave in sorted(waves):
        lines.append('  wave %d:' % (wave + 1))
        lines += ['    %-8s %2d vCPU %2d GB RAM   %s -> %s' % (
            booted[m['server']].name, booted[m['server']].vcpus,
            booted[m['server']].memory_mb // 1024, m['source'],
            m['destination']) for m in waves[wave]]
    if not waves:
        lines.append('  no move: the cloud is balanced enough')
    for rc in classes:
        before, after = document['before'].get(rc), document['after'].get(rc)
        if before and after:
            lines.append('  %-13s peak %s%% -> %s%%   stddev %s%% -> %s%%' % (
                rc, _pct(before['peak']).strip(), _pct(after['peak']).strip(),
                _pct(before['stddev']).strip(),
                _pct(after['stddev']).strip()))
    scores = document.get('imbalance') or {}
    if scores.get('before') is not None:
        lines.append('  imbalance score of the cloud %.2f -> %.2f' % (
            scores['before'], scores['after']))
    return '\n'.join(lines)


def chart(path, before, after, classes=usage.CLASSES):
    """A PNG: per resource class, each host's utilisation before/after."""
    figure, axes = pyplot.subplots(1, len(classes), sharey=True,
                                   figsize=(4 * len(classes), 4))
    names = [h.host for h in before]
    x = range(len(names))
    for ax, rc in zip(axes, classes):
        ax.bar([i - 0.2 for i in x],
               [100 * h.utilisation(rc) for h in before], 0.4,
               label='before', color='#c0504d')
        ax.bar([i + 0.2 for i in x],
               [100 * h.utilisation(rc) for h in after], 0.4,
               label='after', color='#4f81bd')
        ax.set_title(rc)
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=45)
        ax.set_ylim(0, 100)
        ax.grid(axis='y', alpha=0.3)
    axes[0].set_ylabel('utilisation, % of capacity')
    axes[0].legend()
    figure.suptitle('nova-lb: per-host utilisation before and after '
                    'rebalancing')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
