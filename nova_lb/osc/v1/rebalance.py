"""``openstack rebalance plan|apply|status|frontier`` and ``openstack
rebalance host drain|undrain HOST``.

Each command does what the ``nova-lb`` command of the same name does,
with the same code, but through OSC: the openstacksdk connection comes
from OSC's session (``--os-cloud``, ``OS_*``), output goes through cliff's
formatters (``-f json|table|value|yaml``, ``--column``), and nova-lb's own
options come from ``--os-rebalance-config-file``. Errors are one line on
stderr, with nova-lb's exit codes (1 failure, 2 bad input).
"""

from cliff import command
from cliff import lister
from cliff import show
from oslo_config import cfg

from nova_lb.cloud import executor_api
from nova_lb.cmd.commands import plan as plan_cmd
from nova_lb.cmd import output
from nova_lb.conf import executor as executor_conf
from nova_lb.conf import rebalancer as rebalancer_conf
from nova_lb import exception
from nova_lb.osc import plugin
from nova_lb.rebalancer import daemon
from nova_lb.rebalancer import flow
from nova_lb.rebalancer import state as state_mod


class _NovaLBCommand(command.Command):
    """Runs a command with nova-lb's options and one-line errors."""

    #: ``(name, metavar, help)`` of the command's positional argument.
    argument = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        if self.argument:
            name, metavar, text = self.argument
            parser.add_argument(name, metavar=metavar, help=text)
        return parser

    def conf(self):
        return plugin.load_conf(self.app.options.os_rebalance_config_file)

    @property
    def conn(self):
        return self.app.client_manager.rebalance

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except exception.NovaLBError as e:
            return self._fail(e, e.exit_code)
        except cfg.Error as e:
            return self._fail(e, exception.EXIT_BAD_INPUT)

    def _fail(self, error, code):
        self.app.stderr.write('openstack %s: error: %s\n' % (
            self.cmd_name, ' '.join(str(error).split())))
        return code


class Plan(_NovaLBCommand, lister.Lister):
    """Compute a rebalancing plan; nothing moves."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--snapshot', metavar='<file>',
                            help='Plan for this nova-lb-snapshot/1 file '
                                 'instead of the live cloud.')
        parser.add_argument('--output', metavar='<file>',
                            help='Also write the whole plan '
                                 '(nova-lb-plan/1) to this file.')
        return parser

    def take_action(self, parsed_args):
        conf = self.conf()
        result = plan_cmd.make_plan(
            conf, parsed_args.snapshot,
            None if parsed_args.snapshot else self.conn)
        if parsed_args.output:
            output.write_json(result.to_json(), parsed_args.output)
        columns = ('Wave', 'Server', 'Source', 'Destination', 'Gain')
        return columns, [(m.wave, m.server, m.source, m.destination, m.gain)
                         for m in result.migrations]


class Frontier(_NovaLBCommand, lister.Lister):
    """The best weighted peak reachable with at most N migrations, for N
    from 0 to the unlimited plan; nothing moves."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--snapshot', metavar='<file>',
                            help='For this nova-lb-snapshot/1 file instead '
                                 'of the live cloud.')
        return parser

    def take_action(self, parsed_args):
        points = plan_cmd.make_frontier(
            self.conf(), parsed_args.snapshot,
            None if parsed_args.snapshot else self.conn)
        columns = ('At most', 'Migrations', 'Weighted peak',
                   'Proven bound')
        return columns, [('unlimited' if p.budget is None else p.budget,
                          p.migrations, p.peak, p.bound) for p in points]


class Apply(_NovaLBCommand, show.ShowOne):
    """Carry out a reviewed plan file as live migrations."""

    argument = ('plan', '<plan.json>', 'The plan file to carry out.')

    def take_action(self, parsed_args):
        conf = self.conf()
        document, reviewed = flow.load_plan(parsed_args.plan)
        summary = flow.apply(conf, document, reviewed, conn=self.conn,
                             stopper=daemon.handle_signals())
        return _fields(summary, ('done', 'failed', 'skipped', 'not_started',
                                 'stopped'))


class Status(_NovaLBCommand, show.ShowOne):
    """Show the rebalancer's last run and current plan."""

    #: Reads the state directory only: no cloud, no credentials.
    auth_required = False

    def take_action(self, parsed_args):
        # Read-only, like `nova-lb status`: a missing state_dir stays so.
        state = state_mod.State(rebalancer_conf.load(self.conf()).state_dir,
                                create=False)
        last_run = state.read(state_mod.LAST_RUN) or {}
        plan = state.read(state_mod.PLAN) or {}
        keys = ('kind', 'ended_at', 'duration', 'outcome', 'success',
                'reason', 'hosts', 'servers', 'planned', 'done', 'failed',
                'skipped', 'stopped', 'held_by', 'held', 'kept_by_policy',
                'migrations_last_day', 'imbalance_before', 'imbalance_after')
        columns, values = _fields(last_run, keys)
        return (columns + ('plan_migrations',),
                values + (len(plan.get('migrations', ())),))


class _HostCommand(_NovaLBCommand, show.ShowOne):
    """A command on one compute host, named by its service host name."""

    argument = ('host', '<host>', 'Compute service host name.')


class DrainHost(_HostCommand):
    """Stop a host receiving servers and live-migrate its servers away."""

    def take_action(self, parsed_args):
        conf = self.conf()
        summary = flow.drain(conf, parsed_args.host,
                             conf.nova_lb.draining_aggregate,
                             conn=self.conn, stopper=daemon.handle_signals())
        summary['host'] = parsed_args.host
        return _fields(summary, ('host', 'done', 'failed', 'skipped',
                                 'left_on_host', 'note'))


class UndrainHost(_HostCommand):
    """Let a drained host receive servers again."""

    def take_action(self, parsed_args):
        conf = self.conf()
        cloud = executor_api.ExecutorApi.configured(
            self.conn, executor_conf.load(conf))
        return ('host', 'result'), (parsed_args.host, flow.undrain(
            cloud, parsed_args.host, conf.nova_lb.draining_aggregate))


def _fields(summary, keys):
    """``(columns, values)`` of the ``keys`` a summary has."""
    present = tuple(k for k in keys if summary.get(k) is not None)
    return present, tuple(summary[k] for k in present)
