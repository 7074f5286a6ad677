"""The `supplycast` command line. Thin shell: parse options, call the cores, write results."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="supplycast",
    help="Demand forecasts, replenishment, allocation and routes as a daily reviewed plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module registers its own commands; one module per command family.
COMMAND_MODULES = (
    "supplycast.commands.data",
    "supplycast.commands.forecast",
    "supplycast.commands.replenish",
    "supplycast.commands.allocate",
    "supplycast.commands.route",
    "supplycast.commands.plan",
    "supplycast.commands.service",
    "supplycast.commands.demo",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that command family is not built yet
                continue
            raise
        module.register(app)


@app.callback()
def root() -> None:
    """Demand forecasts, replenishment, allocation and routes as a daily reviewed plan."""


@app.command()
def version() -> None:
    """Print the installed supplycast version."""
    from supplycast import __version__

    typer.echo(__version__)


_register_all()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
