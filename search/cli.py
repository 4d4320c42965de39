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
from search.export import EXPORT_LIMIT, FORMATS
from search.request import DEFAULT_SIZE, DEFAULT_SORT, FILTERS, MAX_SIZE, SORTS, SearchRequest
from search.wording import counted

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
    type=click.IntRange(1, 2),
    default=None,
    help="Indexing processes, 1 or 2 (default: 2 on two cores or more, for inputs of 4,000 "
    "articles and more).",
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


def request_options(command):
    """The search request's options, from the one filter table in ``search.request``."""
    for flt in reversed(FILTERS):
        command = click.option(
            f"--{flt.name}", flt.attr, multiple=flt.multi, metavar=flt.metavar, help=flt.help
        )(command)
    return click.option(
        "--sort",
        type=click.Choice(SORTS),
        default=DEFAULT_SORT,
        show_default=True,
        help="relevance, date (oldest first) or -date (newest first).",
    )(command)


def _request(query: str, options: dict, **fields) -> SearchRequest:
    """A SearchRequest from the query argument and the options ``request_options`` added."""
    filters = {flt.attr: options.pop(flt.attr) for flt in FILTERS}
    return SearchRequest(query=query, sort=options.pop("sort"), **filters, **fields)


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
@click.option(
    "--size",
    type=int,
    default=DEFAULT_SIZE,
    show_default=True,
    help=f"Results per page (1-{MAX_SIZE}).",
)
@click.option("--page", type=int, default=1, show_default=True, help="Page number.")
@request_options
@click.option(
    "--collapse/--no-collapse",
    default=False,
    show_default=True,
    help="Fold near-identical copies of an article under the best-ranked one.",
)
@json_option
def search(query, index_path, size, page, collapse, as_json, **options):
    """Search the index: words, "phrases", -excluded, a OR b, source:/author:/title:, prefix*.

    QUERY may be several words and may start with `-` (`rassegna search -trump putin`).
    Repeat --source, --author or --year to accept any of several values.
    """
    from search.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS
    from search.searcher import search as run_search
    from search.store import IndexHandle

    request = _request(" ".join(query), options, page=page, size=size)
    result = run_search(
        IndexHandle(config.index_dir(index_path)), request.replace(collapse=collapse)
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        ("about " if not result.total_exact else "")
        + f"{counted(result.total, 'result')} ({result.took_ms / 1000:.2f} s)"
        + (f", page {result.page} of {result.pages}" if result.pages > 1 else "")
    )
    if result.truncated:
        limit = MAX_QUERY_WORDS if result.truncated == "words" else MAX_QUERY_CHARS
        click.echo(f"Searched only the first {limit} {result.truncated} of the query.")
    if result.also_searched:
        click.echo("Also searched: " + ", ".join(result.also_searched))
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
            click.echo(
                f"   + {counted(len(hit.similar), 'similar article')}: "
                + ", ".join(r.id for r in hit.similar)
            )


@main.command(cls=QueryCommand, context_settings=CONTEXT)
@click.argument("query", nargs=-1)
@index_option
@request_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="csv",
    show_default=True,
    help="csv (UTF-8 with BOM, for spreadsheets) or jsonl (one JSON object per line).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file [default: standard output].",
)
@click.option(
    "--limit",
    type=click.IntRange(1, EXPORT_LIMIT),
    default=EXPORT_LIMIT,
    show_default=True,
    help="At most this many rows.",
)
@quiet_option
def export(query, index_path, fmt, output, limit, quiet, **options):
    """Export every match of a search (not just one page) as CSV or JSON Lines.

    Columns: id, title, date, source, author, url, score, snippet; in the search's order, with
    near-duplicates included. Cells a spreadsheet would read as a formula get a leading '.
    """
    from search.export import lines
    from search.searcher import export_hits
    from search.store import IndexHandle

    request = _request(" ".join(query), options)
    found = export_hits(IndexHandle(config.index_dir(index_path)), request, limit=limit)
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for chunk in lines(found.hits, fmt):
            out.write(chunk)
    finally:
        if output:
            out.close()
        else:
            out.flush()
    if not quiet:
        rows = counted(found.count, "row")
        about = "" if found.total_exact else "about "
        more = f" (limit {limit:,}; {about}{found.total:,} matches)" if found.truncated else ""
        where = f" to {output}" if output else ""
        click.echo(f"Exported {rows}{where}{more}", err=True)


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
    for n, paragraph in enumerate(article.paragraphs_html):
        click.echo()
        text = _terminal(paragraph)
        click.echo(click.style(text, bold=True) if n in article.headings else text)
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
    from web.serving import gunicorn_argv  # the web package knows how it is served

    args = gunicorn_argv(host, port, workers)
    click.echo(
        f"Serving Rassegna on http://{host}:{port}/ (index {os.environ['RASSEGNA_INDEX']})",
        err=True,
    )
    os.execv(sys.executable, args)


if __name__ == "__main__":  # pragma: no cover
    main()
