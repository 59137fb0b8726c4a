"""The per-invocation state the commands share: settings, clients and the output."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from ..clients import ApimClient, PlatformClient
from .config import ConfigError, Settings, load_profile, resolve
from .output import Output, ResponseRecorder

if TYPE_CHECKING:
    from ..models.fields import ObjectSpec
    from ..partner import PartnerClient
    from ..rest.mft import MftClient


@dataclasses.dataclass
class State:
    """Built from the global options; settings and clients are made on first use.

    Reading the config file lazily keeps ``--help``, ``validate`` and ``wsdl export``
    working whatever the file holds.
    """

    given: dict[str, Any]
    config: str | None = None
    profile: str | None = None
    show_secrets: bool = False
    with_security: bool = False
    pretty: bool | None = None  # envelope: None = indent on a terminal only
    _settings: Settings | None = None
    # --override-account (boomisoap.cli.accounts): the object commands go through the
    # Partner API on behalf of this account.
    override_account: str | None = None
    recorder: ResponseRecorder = dataclasses.field(default_factory=ResponseRecorder)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            profile, source = load_profile(self.config, self.profile)
            self._settings = resolve(self.given, profile, source)
        return self._settings

    def output(self) -> Output:
        settings = self.settings
        return Output(
            settings.output or "table",
            recorder=self.recorder,
            show_secrets=self.show_secrets,
            secrets=settings.secrets,
        )

    def _require(self, name: str, flag: str, envvar: str) -> str:
        value = getattr(self.settings, name)
        if not value:
            raise ConfigError(
                f"no {name.replace('_', ' ')}: give {flag}, set {envvar}, or add {name} to "
                f"the profile ({self.settings.source})"
            )
        return str(value)

    def _client_kwargs(self) -> dict[str, Any]:
        settings = self.settings
        credentials: dict[str, str] = {}
        if settings.token:
            credentials["token"] = settings.token
        elif settings.password:
            credentials["password"] = settings.password
        else:
            raise ConfigError(
                "no password or token: set BOOMI_PASSWORD or BOOMI_TOKEN (or --password / "
                f"--token), or add one to the profile ({settings.source})"
            )
        return {
            "account_id": self._require("account_id", "--account-id", "BOOMI_ACCOUNT_ID"),
            "username": self._require("username", "--username", "BOOMI_USERNAME"),
            **credentials,
            "base_url": settings.base_url,
            "wire": settings.wire,
            "password_digest": settings.password_digest,
            "validate": settings.validate,
            "audit": settings.audit,
            "timeout": settings.timeout,
            "retries": settings.retries,
            "rate_limit": settings.rate_limit or None,
        }

    def _keep(self, client: Any) -> Any:
        self.recorder.attach(client.transport)
        click.get_current_context().call_on_close(client.close)
        return client

    def apim(self) -> ApimClient:
        client: ApimClient = self._keep(ApimClient(**self._client_kwargs()))
        return client

    def platform(self) -> PlatformClient:
        client: PlatformClient = self._keep(PlatformClient(**self._client_kwargs()))
        return client

    def partner(self) -> PartnerClient:
        from ..partner import PartnerClient

        kwargs = {**self._client_kwargs(), "override_account": self.override_account}
        client: PartnerClient = self._keep(PartnerClient(**kwargs))
        return client

    def client_for(self, spec: ObjectSpec) -> Any:
        """The client serving ``spec``: the Partner API's when an override is given."""
        if self.override_account is not None:
            return self.partner()
        return self.apim() if spec.service == "apim" else self.platform()

    def mft(self) -> MftClient:
        from ..rest.mft import MftClient

        settings = self.settings
        key = self._require("mft_api_key", "--mft-api-key", "BOOMI_MFT_API_KEY")
        client: MftClient = self._keep(
            MftClient(
                base_url=settings.base_url,
                api_key=key,
                audit=settings.audit,
                timeout=settings.timeout,
                retries=settings.retries,
                rate_limit=settings.rate_limit or None,
                paths=settings.mft_paths,
            )
        )
        return client


def get_state() -> State:
    state = click.get_current_context().find_object(State)
    if state is None:
        raise click.UsageError("boomisoap commands must run under the boomisoap group")
    return state


def _set_output(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        state = ctx.find_object(State)
        if state is not None:
            state.given["output"] = value


def output_option(func: Any) -> Any:
    """``-o/--output`` on a command too, so ``boomisoap plans list -o json`` works."""
    from .config import OUTPUTS

    return click.option(
        "-o",
        "--output",
        type=click.Choice(OUTPUTS),
        expose_value=False,
        callback=_set_output,
        help="Output format (the same as the global --output).",
    )(func)
