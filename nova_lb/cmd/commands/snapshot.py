"""Read the cloud's Nova and Placement state into a nova-lb-snapshot/1 file.

The snapshot holds the raw bodies of the API calls, so plans can be made,
reviewed and replayed offline, and checked against the cloud later. The
cloud and its credentials come from clouds.yaml or the OS_* environment
(``[rebalancer] cloud``), as for any OpenStack client; the account needs the
admin role.
"""

import sys

from nova_lb.cloud import client
from nova_lb.cloud import collector
from nova_lb.cmd import output
from nova_lb.conf import executor as executor_conf
from nova_lb.metrics import reader
from nova_lb.metrics import settings as metrics_settings


def add_arguments(parser):
    parser.add_argument('--output', metavar='FILE',
                        help='Write here instead of standard output; the '
                             'file is replaced only once complete.')


def run(conf):
    measured = metrics_settings.for_run(conf)
    document = collector.collect(client.connect(
        conf.rebalancer.cloud, executor_conf.load(conf)))
    if measured is not None:
        reader.attach(document, measured)
    output.write_json(document, conf.command.output)
    print(summary(document), file=sys.stderr)
    return 0


def summary(document):
    """One line: what the snapshot holds."""
    compute = document['compute']
    line = ('snapshot taken at %s: %d hosts, %d servers, %d resource '
            'providers' % (
                document['taken_at'],
                len(compute['services']['services']),
                len(compute['servers']['servers']),
                len(document['placement']['providers'])))
    metrics = document.get('metrics')
    if metrics:
        line += ', measured load of %d servers (%s over %ds)' % (
            len(metrics['servers']), metrics['statistic'],
            metrics['window_s'])
    return line
