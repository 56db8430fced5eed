"""Console scripts share one start-up: options, logging, one-line errors.

Every script parses its command line and config files with oslo.config
(``--config-file``, default ``/etc/nova-lb/nova-lb.conf`` when present),
logs through oslo.log, and turns a :class:`nova_lb.exception.NovaLBError`
or a config error into one line on stderr and an exit code a script can
use: 0 done, 1 error, 2 bad input.
"""

import logging as pylogging
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging

from nova_lb.cmd import output
from nova_lb import conf as lb_conf
from nova_lb import exception

LOG = logging.getLogger(__name__)


def _parse(argv, prog, description, cli_opts):
    conf = cfg.ConfigOpts()
    # Not ``nova_lb.conf``: importing nova_lb.cmd.admin rebinds the name
    # ``nova_lb`` in this package to that module.
    lb_conf.register_opts(conf)
    logging.register_options(conf)
    conf.register_cli_opts(cli_opts)
    conf(argv, project='nova-lb', prog=prog, description=description)
    if not (conf.log_file or conf.log_dir or conf.use_journal
            or conf.log_config_append):
        # oslo.log's fallback is stdout, where commands print their JSON
        # documents and tables: `nova-lb --debug plan --format json` and
        # `nova-lb snapshot > file` must stay valid JSON.
        conf.set_override('use_stderr', True)
    logging.setup(conf, 'nova-lb')
    # Library warnings (keystoneauth, numpy) go to the log, not stdout.
    pylogging.captureWarnings(True)
    return conf


def main(prog, description, cli_opts, run, argv=None):
    """Parse, set up logging, call ``run(conf)``, return an exit code.

    :param cli_opts: oslo.config CLI options, possibly a
        ``cfg.SubCommandOpt`` whose parsers set a ``run`` default.
    :param run: ``run(conf) -> int``; its exceptions derived from
        ``NovaLBError`` become one line and their exit code.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        conf = _parse(argv, prog, description, cli_opts)
    except (cfg.Error, ValueError) as e:
        # Missing or malformed config file, bad value on the command line.
        print('%s: error: %s' % (prog, _one_line(e)), file=sys.stderr)
        return exception.EXIT_BAD_INPUT
    try:
        return run(conf) or exception.EXIT_OK
    except exception.NovaLBError as e:
        LOG.debug('%(prog)s failed', {'prog': prog}, exc_info=True)
        print('%s: error: %s' % (prog, _one_line(e)), file=sys.stderr)
        return e.exit_code
    except cfg.Error as e:
        print('%s: error: %s' % (prog, _one_line(e)), file=sys.stderr)
        return exception.EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print('%s: interrupted' % prog, file=sys.stderr)
        return exception.EXIT_ERROR
    except BrokenPipeError:
        # ``nova-lb status | head``: the reader is gone, nobody to tell.
        # Point stdout at /dev/null so the flush at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exception.EXIT_ERROR


def _one_line(error):
    # Messages may quote names from the cloud or a file.
    return output.printable(' '.join(str(error).split()))


def subcommands(commands):
    """A ``SubCommandOpt`` for ``{name: module}``.

    Each module has a docstring (its help), ``add_arguments(parser)`` and
    ``run(conf) -> int``; ``conf.command.<dest>`` holds its arguments.
    """
    def add_parsers(subparsers):
        for name, module in commands.items():
            doc = (module.__doc__ or '').strip()
            parser = subparsers.add_parser(
                name, help=doc.split('\n')[0], description=doc)
            module.add_arguments(parser)
            parser.set_defaults(run=module.run)

    return cfg.SubCommandOpt('command', title='Commands',
                             handler=add_parsers)
