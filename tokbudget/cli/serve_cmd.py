"""``tokbudget serve``: the local tokenizer page."""

from __future__ import annotations

import threading

import click

from ..models.defaults import default_model
from ..tokenizer.spans import preload
from ..web.server import MAX_BODY_BYTES, is_loopback, make_server


def _warm_up() -> None:
    for name in ("o200k_base", "cl100k_base"):
        preload(name)


@click.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the page to your network.",
)
@click.option(
    "--max-body",
    default=MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body in bytes; larger ones get 413.",
)
@click.option("--log", is_flag=True, help="Log every request to stderr.")
def serve_command(port: int, host: str, max_body: int, log: bool) -> int:
    """Serve a local page that shows tokens, counts, budget, cost and chunks as you type.

    Everything is served by tokbudget itself (no CDN, no network). The JSON API behind
    it (POST /api/tokenize, /api/check, /api/split, /api/chat; GET /api/models) is
    documented in the README.

    The page's model picker starts on the default model, and API requests that name no
    model are counted for it: $TOKBUDGET_MODEL if set, else gpt-4o (/api/split:
    text-embedding-3-small).

    \b
    Examples:
      tokbudget serve                 then open http://127.0.0.1:8000/
      tokbudget serve --port 0        any free port (printed)
      TOKBUDGET_MODEL=gpt-5 tokbudget serve   the page and the API default to gpt-5
    """
    # Read once, before listening: a bad name is exit 2 naming the variable (as for every
    # command), never a server that answers every request with an error.
    chosen = default_model()
    given = None if chosen.source == "built-in" else chosen.name  # None: the built-in ones
    try:
        server = make_server(host, port, max_body=max_body, log=log, default_model=given)
    except OSError as exc:
        raise click.UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
            "pick another --port (or --port 0 for any free one)"
        ) from None
    if not is_loopback(host):
        # After binding, so the warning names the port really listened on (--port 0).
        bound = int(server.server_address[1])
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine on port "
            f"{bound} can use this page; use --host 127.0.0.1 to keep it local",
            err=True,
        )
    # Load the bundled vocabularies now, off the main thread, so the first keystroke on the
    # page is answered at once instead of after a ~0.3 s vocab load.
    threading.Thread(target=_warm_up, name="tokbudget-warm-up", daemon=True).start()
    click.echo(f"tokbudget: serving on {server.url}  (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("tokbudget: stopped", err=True)
    finally:
        server.server_close()
    return 0
