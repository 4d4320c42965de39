"""The ``rassegna`` command: build, update, query and serve the index.

A thin click layer: each command validates its options, calls the engine and prints.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

import click

from search import config, store
from search.errors import RassegnaError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index directory [default: $RASSEGNA_INDEX or the project's index/].",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar, no report lines.")


class RassegnaGroup(click.Group):
    """Turns engine errors into a one-line message with the next step, exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RassegnaError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=RassegnaGroup, context_settings=CONTEXT)
@click.version_option(package_name="rassegna")
def main():
    """Rassegna: a search engine for Italian news.

    Build an index with `rassegna index`, then `rassegna search` or `rassegna serve`.
    """


def _progress(quiet: bool, desc: str):
    """A tqdm bar on stderr (or nothing), exposed as the engine's progress callbacks."""
    from tqdm import tqdm

    state: dict = {}

    def on_total(total: int) -> None:
        if not quiet:
            state["bar"] = tqdm(
                total=total,
                desc=desc,
                unit=" articles",
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.5,
            )

    def progress(n: int) -> None:
        if "bar" in state:
            state["bar"].update(n)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return on_total, progress, close


def _report(report, quiet: bool, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    if not quiet:
        for problem in report.problems:
            click.echo(str(problem), err=True)
    click.echo(report.summary())


@main.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--procs",
    type=click.IntRange(1, 16),
    default=None,
    help="Indexing processes (Whoosh multiprocessing writer; default: one per core, at most 4, "
    "for inputs of 4,000 articles and more).",
)
@click.option(
    "--no-titles",
    is_flag=True,
    help="Leave titles out of the index (for evaluations on headline queries).",
)
@quiet_option
@json_option
def index(sources, index_path, procs, no_titles, quiet, as_json):
    """Rebuild the index from SOURCES (files or directories; default: the project's seeds/).

    Builds into a new directory, validates it and swaps it in atomically; the previous build is
    kept for rollback. Reads .txt/.md (optionally with front matter), .jsonl and .csv.
    """
    from search.indexer import build_index

    sources = list(sources) or [config.seeds_dir()]
    on_total, progress, close = _progress(quiet or as_json, "Indexing")
    try:
        report = build_index(
            sources,
            config.index_dir(index_path),
            progress=progress,
            on_total=on_total,
            include_titles=not no_titles,
            procs=procs,
        )
    finally:
        close()
    _report(report, quiet, as_json)


@main.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--delete-missing", is_flag=True, help="Also remove indexed articles that are not in SOURCES."
)
@quiet_option
@json_option
def update(sources, index_path, delete_missing, quiet, as_json):
    """Add new articles from SOURCES and replace changed ones; leave the rest alone.

    Searches keep working meanwhile: the update is applied to a copy and swapped in.
    """
    from search.indexer import update_index

    on_total, progress, close = _progress(quiet or as_json, "Updating")
    try:
        report = update_index(
            list(sources),
            config.index_dir(index_path),
            delete_missing=delete_missing,
            progress=progress,
            on_total=on_total,
        )
    finally:
        close()
    _report(report, quiet, as_json)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terminal(fragment: str) -> str:
    """Escaped snippet HTML to terminal text with the matches highlighted."""
    styled = _MARK.sub(
        lambda m: click.style(html.unescape(m.group(1)), fg="yellow", bold=True), fragment
    )
    return html.unescape(styled)


class QueryCommand(click.Command):
    """Words starting with `-` (`-trump putin`) are query words, not unknown options."""

    def parse_args(self, ctx, args):
        takes_value, flags = set(), set(ctx.help_option_names)
        for param in self.params:
            if isinstance(param, click.Option):
                names = param.opts + param.secondary_opts
                (flags if param.is_flag else takes_value).update(names)
        options, words = [], []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
            elif arg in flags:
                options.append(arg)
            elif arg in takes_value:
                options.append(arg)
                value = next(rest, None)
                if value is not None:
                    options.append(value)
            elif arg.startswith("--") and arg.split("=", 1)[0] in takes_value:
                options.append(arg)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@main.command(cls=QueryCommand, context_settings=CONTEXT)
@click.argument("query", nargs=-1)
@index_option
@click.option("--size", type=int, default=10, show_default=True, help="Results per page (1-50).")
@click.option("--page", type=int, default=1, show_default=True, help="Page number.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date", "-date"]),
    default="relevance",
    show_default=True,
    help="relevance, date (oldest first) or -date (newest first).",
)
@click.option("--source", help="Only articles from this source (any spelling: ansa, ansa.it).")
@click.option("--author", help="Only articles by this author (any spelling of the name).")
@click.option("--year", help="Only articles of this year.")
@click.option("--from", "date_from", help="Only articles on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Only articles on or before this date (YYYY-MM-DD).")
@click.option("--no-collapse", is_flag=True, help="Show near-duplicate articles separately.")
@json_option
def search(
    query,
    index_path,
    size,
    page,
    sort,
    source,
    author,
    year,
    date_from,
    date_to,
    no_collapse,
    as_json,
):
    """Search the index: words, "phrases", -excluded, a OR b, source:/author:/title:, prefix*.

    QUERY may be several words and may start with `-` (`rassegna search -trump putin`).
    """
    from search.searcher import search as run_search
    from search.store import IndexHandle

    result = run_search(
        IndexHandle(config.index_dir(index_path)),
        " ".join(query),
        page=page,
        size=size,
        sort=sort,
        source=source,
        author=author,
        year=year,
        date_from=date_from,
        date_to=date_to,
        collapse=not no_collapse,
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{result.total:,} results ({result.took_ms / 1000:.2f} s)"
        + (f", page {result.page} of {result.pages}" if result.pages > 1 else "")
    )
    if result.suggestion:
        click.echo("Did you mean: " + click.style(result.suggestion, bold=True))
    for n, hit in enumerate(result.hits, start=(result.page - 1) * result.size + 1):
        click.echo()
        click.echo(f"{n}. " + click.style(hit.title or hit.id, bold=True) + f"  [{hit.id}]")
        meta = " · ".join(
            x for x in (hit.source, hit.author, hit.date and hit.date.isoformat()) if x
        )
        if meta:
            click.echo("   " + meta)
        for fragment in hit.snippets:
            click.echo("   " + _terminal(fragment))
        if hit.similar:
            click.echo(f"   + {len(hit.similar)} similar: " + ", ".join(r.id for r in hit.similar))


@main.command(context_settings=CONTEXT)
@click.argument("article_id")
@index_option
@click.option("--query", help="Highlight these query words.")
@json_option
def show(article_id, index_path, query, as_json):
    """Print one article by id, with its related articles."""
    from search.searcher import get_article
    from search.store import IndexHandle

    article = get_article(IndexHandle(config.index_dir(index_path)), article_id, query=query)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(click.style(article.title or article.id, bold=True))
    meta = " · ".join(
        x
        for x in (
            article.source,
            article.author,
            article.date and article.date.isoformat(),
            article.url,
        )
        if x
    )
    if meta:
        click.echo(meta)
    for paragraph in article.paragraphs_html:
        click.echo()
        click.echo(_terminal(paragraph))
    if article.related:
        click.echo("\nRelated: " + ", ".join(f"{r.id} ({r.title})" for r in article.related))


@main.command(context_settings=CONTEXT)
@index_option
@json_option
def stats(index_path, as_json):
    """Document count, sources, date range, index size and build time of the live index."""
    from search.searcher import index_stats
    from search.store import IndexHandle

    s = index_stats(IndexHandle(config.index_dir(index_path)))
    if as_json:
        click.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Index:      {s.index_dir}")
    click.echo(f"Build:      {s.build_id} at {s.built_at} ({s.build_seconds:.1f} s)")
    click.echo(f"Documents:  {s.doc_count:,}")
    click.echo(f"Size:       {s.size_bytes / 1e6:,.1f} MB")
    dates = f"{s.date_min} – {s.date_max}" if s.date_min else "no dated articles"
    click.echo(f"Dates:      {dates}")
    click.echo(
        "Sources:    " + (", ".join(f"{v.value} ({v.count:,})" for v in s.sources) or "none named")
    )


@main.command(context_settings=CONTEXT)
@index_option
@click.option(
    "--host", default=None, help="Address to bind [default: $RASSEGNA_HOST or 127.0.0.1]."
)
@click.option("--port", type=int, default=None, help="Port [default: $RASSEGNA_PORT or 8000].")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Gunicorn workers [default: $RASSEGNA_WORKERS or 2].",
)
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader (debug).")
def serve(index_path, host, port, workers, dev):
    """Serve the search page and the JSON API (gunicorn; --dev for Flask's reloader)."""
    host = host or config.get("host")
    port = port or int(config.get("port"))
    workers = workers or int(config.get("workers"))
    config.base_url()  # a bad RASSEGNA_BASE_URL: one line here, not a traceback per worker
    index_dir = config.index_dir(index_path)
    live = store.live_target(index_dir)
    if live is not None:
        store.check_trusted(live, index_dir)  # refuse before forking workers that would load it
    os.environ["RASSEGNA_INDEX"] = str(index_dir)
    if dev:
        from web import create_app

        create_app().run(host=host, port=port, debug=True, use_reloader=True)
        return
    conf = Path(__file__).resolve().parent.parent / "web" / "gunicorn.conf.py"
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(conf),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "web:create_app()",
    ]
    click.echo(
        f"Serving Rassegna on http://{host}:{port}/ (index {os.environ['RASSEGNA_INDEX']})",
        err=True,
    )
    os.execv(sys.executable, args)


if __name__ == "__main__":  # pragma: no cover
    main()
