"""The ``boomisoap`` command: every API call from shells, cron jobs and ESB pipelines.

Exit status: 0 success, 1 an API or validation error, 2 a usage error (bad option, bad
``--where``, unusable config file), 3 the service could not be reached (transport error).
"""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import Any

import click

from ..errors import BoomiError, BoomiFault, TransportError
from ..transport import scrub
from ..version import __version__
from .accounts import install as install_partner_commands
from .config import OUTPUTS, RateLimitType
from .envelope import envelope_group
from .mft import mft_group
from .migrate import migrate_command
from .objects import OBJECT_GROUPS, object_group
from .state import State
from .tools import validate_command, wsdl_group

EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3

# Commands imported only when used (the emulator pulls in its server, the audit trail its
# sinks): name -> (module, attribute).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("boomisoap.cli.audit", "audit"),
    "sandbox": ("boomisoap.cli.sandbox", "sandbox_group"),
    "demo": ("boomisoap.cli.demo", "demo_command"),
}


def _lazy(name: str) -> click.Command:
    module_name, attribute = LAZY_COMMANDS[name]
    found = getattr(importlib.import_module(module_name), attribute, None)
    if not isinstance(found, click.Command):
        raise click.UsageError(f"{module_name} defines no {name} command")
    return found


def describe(error: BoomiError) -> str:
    """A one-line description of an error; messages never carry secrets (errors.py)."""
    if isinstance(error, BoomiFault) and error.status_code is not None:
        return f"{type(error).__name__} ({error.status_code}): {error.message}"
    return f"{type(error).__name__}: {error}"


class BoomisoapGroup(click.Group):
    """The root group: lazy commands, and errors mapped to the documented exit statuses."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            self.add_command(_lazy(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with warnings.catch_warnings():
                # Contract commands print their own one-line note instead.
                warnings.simplefilter("ignore", DeprecationWarning)
                return super().invoke(ctx)
        except TransportError as exc:
            _fail(ctx, f"cannot reach the service: {describe(exc)}", EXIT_TRANSPORT)
        except BoomiError as exc:
            _fail(ctx, describe(exc), EXIT_API_ERROR)
        except UnicodeDecodeError as exc:
            # Input that is not UTF-8 where text is expected (a file, a pipe).
            _fail(ctx, f"input is not UTF-8 text: {exc.reason} at byte {exc.start}", EXIT_USAGE)
        except BrokenPipeError:
            raise  # main() treats a reader that left as success
        except OSError as exc:
            # A file or socket the command could not use: one line, not a traceback.
            where = f": {exc.filename}" if exc.filename else ""
            _fail(ctx, f"{exc.strerror or type(exc).__name__}{where}", EXIT_API_ERROR)


def _fail(ctx: click.Context, message: str, code: int) -> None:
    state = ctx.find_object(State)
    secrets = state.settings.secrets if state is not None and state._settings else ()
    click.echo(f"error: {scrub(message, secrets)}", err=True)
    ctx.exit(code)


@click.group(cls=BoomisoapGroup, context_settings={"max_content_width": 100})
@click.version_option(__version__, prog_name="boomisoap")
@click.option("--account-id", envvar="BOOMI_ACCOUNT_ID", show_envvar=True, help="Boomi account id.")
@click.option("--username", envvar="BOOMI_USERNAME", show_envvar=True, help="User name.")
@click.option(
    "--password",
    envvar="BOOMI_PASSWORD",
    show_default=False,
    show_envvar=True,
    help="Password. Prefer the environment or a profile: arguments are visible to other users.",
)
@click.option(
    "--token",
    envvar="BOOMI_TOKEN",
    show_default=False,
    show_envvar=True,
    help="Boomi API token, used instead of the password (as user BOOMI_TOKEN.<username>).",
)
@click.option(
    "--base-url",
    envvar="BOOMI_BASE_URL",
    show_envvar=True,
    help="Service root URL (default: https://api.boomi.com).",
)
@click.option(
    "--mft-api-key",
    envvar="BOOMI_MFT_API_KEY",
    show_default=False,
    show_envvar=True,
    help="MFT API key (bearer token).",
)
@click.option(
    "--mft-path",
    "mft_paths",
    metavar="KEY=SEGMENT",
    multiple=True,
    envvar="BOOMI_MFT_PATHS",
    show_envvar=True,
    help="Replace one MFT Accounting path segment (repeatable), e.g. base=/api or "
    "billing_daily=billing/daily; keys as MftPaths (docs/mft.md).",
)
@click.option(
    "--audit",
    "audit",
    metavar="URL",
    envvar="BOOMISOAP_AUDIT",
    show_envvar=True,
    help=(
        "Record every exchange in an audit trail: sqlite:///./audit.db (a file in the "
        "working directory), sqlite:////var/log/boomi/audit.db (an absolute path), "
        "jsonl:///./audit.jsonl, postgresql://user@host/db."
    ),
)
@click.option(
    "--config",
    "config",
    metavar="PATH",
    envvar="BOOMISOAP_CONFIG",
    show_envvar=True,
    help="Config file (default: $XDG_CONFIG_HOME/boomisoap/config.toml).",
)
@click.option(
    "--profile",
    metavar="NAME",
    envvar="BOOMISOAP_PROFILE",
    show_envvar=True,
    help="Profile (a [NAME] table) of the config file (default: [default]).",
)
@click.option("--wire", type=click.Choice(["soap", "rest"]), help="Wire format (default: soap).")
@click.option("-o", "--output", type=click.Choice(OUTPUTS), help="Output format (default: table).")
@click.option(
    "--password-digest/--password-text",
    "password_digest",
    default=None,
    help="Send a PasswordDigest instead of Boomi's documented PasswordText.",
)
@click.option(
    "--validate/--no-validate",
    "validate",
    default=None,
    help="Validate envelopes against xsd/ (default: on).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per request.")
@click.option("--retries", type=click.IntRange(min=0), help="Retries of safe calls (default: 5).")
@click.option(
    "--rate-limit",
    type=RateLimitType(),
    metavar="RATE|URL",
    envvar="BOOMISOAP_RATE_LIMIT",
    show_envvar=True,
    help="Client-side pacing in requests/second (default: 10, Boomi's limit; 0: off), or the "
    "redis:// URL of a budget shared by every process using it (docs/fleet.md).",
)
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Show secret fields of objects (an API key's key). Credentials are never shown.",
)
@click.pass_context
def cli(
    ctx: click.Context, /, config: str | None, profile: str | None, show_secrets: bool, **given: Any
) -> None:
    """Boomi API Management, Platform and MFT APIs from the command line.

    Credentials come from the options, the BOOMI_* environment variables, or a profile
    of the config file, in that order. A config file holding a password, token or key
    must not be readable by others.
    """
    ctx.obj = State(given=given, config=config, profile=profile, show_secrets=show_secrets)


for _name, _type in OBJECT_GROUPS.items():
    cli.add_command(object_group(_name, _type))
# Partner API: --override-account on the object commands; partner accounts create | delete |
# provision | provision-status.
install_partner_commands(cli, OBJECT_GROUPS)
contracts = cli.commands["contracts"]
assert isinstance(contracts, click.Group)
contracts.add_command(migrate_command)
cli.add_command(mft_group)
cli.add_command(envelope_group)
cli.add_command(wsdl_group)
cli.add_command(validate_command)


def main(argv: list[str] | None = None) -> None:
    """The console script entry point."""
    try:
        cli.main(args=argv, prog_name="boomisoap")
    except BrokenPipeError:
        # `boomisoap plans list | head`: the reader left; that is not an error.
        sys.stderr.close()
        sys.exit(0)


__all__ = ["cli", "main"]
