"""What the executor decides without asking the cloud."""

import testtools

from nova_lb.executor import executor
from nova_lb.executor import migration
from nova_lb.planner import plan


def _move(server, source, destination, wave=0):
    return plan.Migration(server, source, destination, wave)


class HostsFreeTest(testtools.TestCase):

    IN_FLIGHT = [_move('a', 'h1', 'h2'), _move('b', 'h3', 'h4')]

    def test_disjoint_hosts_start(self):
        self.assertTrue(executor.hosts_free(_move('c', 'h5', 'h6'),
                                            self.IN_FLIGHT, 1))

    def test_busy_source_or_destination_waits(self):
        for move in (_move('c', 'h1', 'h5'), _move('c', 'h5', 'h1'),
                     _move('c', 'h5', 'h2'), _move('c', 'h4', 'h6')):
            self.assertFalse(executor.hosts_free(move, self.IN_FLIGHT, 1),
                             move)

    def test_higher_limit_lets_hosts_share(self):
        self.assertTrue(executor.hosts_free(_move('c', 'h1', 'h4'),
                                            self.IN_FLIGHT, 2))
        self.assertFalse(executor.hosts_free(
            _move('d', 'h1', 'h4'),
            self.IN_FLIGHT + [_move('c', 'h1', 'h4')], 2))


class ReportTest(testtools.TestCase):

    def test_counts_and_json(self):
        outcomes = [
            executor.Outcome('a', 'h1', 'h2', 0, migration.DONE),
            executor.Outcome('b', 'h1', 'h3', 0, migration.ABORTED, 'slow'),
            executor.Outcome('c', 'h1', 'h3', 1, migration.LOST, 'stuck'),
            executor.Outcome('d', 'h2', 'h3', 1, executor.SKIPPED, 'gone'),
            executor.Outcome('e', 'h2', 'h4', 2, executor.NOT_STARTED)]
        report = executor.Report(outcomes, stopped='a migration did not end')
        document = report.to_json()
        self.assertEqual((1, 2), (report.done, report.failed))
        self.assertEqual(
            {'done': 1, 'failed': 2, 'skipped': 1, 'not_started': 1,
             'stopped': 'a migration did not end'},
            {k: v for k, v in document.items() if k != 'moves'})
        self.assertEqual({'server': 'b', 'source': 'h1', 'destination': 'h3',
                          'wave': 0, 'result': 'aborted', 'reason': 'slow'},
                         document['moves'][1])
