"""`machikoe demo`: the real bot against the built-in Bot API server, the page, residents."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from telegram.ext import Application

from bot.app import comments, waves
from bot.app.catalog import store_survey_file
from bot.app.scheduler import WaveJobs
from bot.app.services import Services
from bot.cli.run import wave_jobs_for
from bot.config import Settings
from bot.console.app import create_app
from bot.console.pages.demo import DEMO_ADMIN_ID
from bot.console.serve import ConsoleServer
from bot.demo.line_demo import LineDemo
from bot.demo.personas import make_personas
from bot.demo.server import DemoServer
from bot.demo.simulate import SimulationResult, simulate_residents
from bot.process import signals_set
from bot.telegram.application import build_application
from bot.telegram.runner import start, stop
from surveys.bundled import bundled_survey_path
from surveys.definition import Survey
from surveys.loader import load_survey
from surveys.roles import Role

log = logging.getLogger(__name__)

DEMO_TOKEN = "123456:MACHIKOE-DEMO"
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    """What `machikoe demo` (and `machikoe preview`) were asked to do."""

    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    simulate: int = 0
    exit_after: bool = False
    survey_file: Path | None = None
    progress: bool = True
    console_port: int | None = None

    @property
    def console_listen_port(self) -> int:
        """The console's port: given, or the chat page's plus one (any free one for port 0)."""
        if self.console_port is not None:
            return self.console_port
        return self.port + 1 if self.port else 0


@dataclass
class DemoRun:
    """A running demo: its folder, services, server, bot and open wave."""

    data_dir: Path
    services: Services
    server: DemoServer
    application: Application  # type: ignore[type-arg]
    survey: Survey
    wave_id: int
    temporary: bool = False
    console: ConsoleServer | None = None
    line: LineDemo | None = None
    jobs: WaveJobs | None = None

    @property
    def url(self) -> str:
        """The chat page."""
        return f"{self.server.url}/"

    @property
    def console_url(self) -> str | None:
        """The console, logged in as the demo admin on opening."""
        return f"{self.console.url}/demo-login" if self.console else None

    @property
    def report_dir(self) -> Path:
        """Where reports go: the data folder when it is kept, else the current folder."""
        return Path.cwd() if self.temporary else self.data_dir


def demo_settings(base: Settings, data_dir: Path) -> Settings:
    """The demo's settings: SQLite in its own folder, whatever the environment says."""
    return Settings(
        data_dir=data_dir,
        database_url=None,
        secret=base.secret,
        timezone=base.timezone,
        keep_raw_comments=base.keep_raw_comments,
    )


async def load_demo_survey(services: Services, path: Path) -> Survey:
    """Validate and store a survey file (as `machikoe survey load` does)."""
    survey = load_survey(path)
    async with services.uow() as uow:
        await store_survey_file(uow, path, services.now())
        await uow.commit()
    return survey


async def open_demo_wave(services: Services, survey: Survey, name: str) -> int:
    """Create and open a two-week wave of the survey now, as `machikoe wave` does."""
    now = services.now()
    wave = await waves.create_wave(
        services, survey_id=survey.id, name=name, opens_at=now, closes_at=now + timedelta(days=14)
    )
    opened, _ = await waves.open_wave(services, wave.id)
    return opened.id


async def make_staff(services: Services, user_id: int) -> None:
    """Give a page's user the admin role (the demo's staff tab)."""
    async with services.uow() as uow:
        await uow.staff.add(user_id, Role.ADMIN, services.now())
        await uow.commit()


async def start_demo(options: DemoOptions, base: Settings, say: Say) -> DemoRun:
    """Database, survey, open wave, local Bot API server with the page, and the real bot."""
    temporary = options.data_dir is None
    folder = options.data_dir or Path(tempfile.mkdtemp(prefix="machikoe-demo-"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        run = await _start_in(folder, options, base)
    except BaseException:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    run.temporary = temporary
    _say_where(run, options, say)
    return run


async def _start_in(folder: Path, options: DemoOptions, base: Settings) -> DemoRun:
    """Start everything with its database in ``folder``; what started is stopped on failure."""
    line = LineDemo(options.host)
    await line.start_platform()
    try:
        services = await Services.open(line.settings(demo_settings(base, folder)))
    except BaseException:
        await line.stop()
        raise
    try:
        path = options.survey_file or Path(bundled_survey_path("residency-livability"))
        survey = await load_demo_survey(services, path)
        wave_id = await open_demo_wave(services, survey, "デモ調査")
        comments.install(services)
        server = DemoServer(
            on_staff=lambda user_id: make_staff(services, user_id),
            token=DEMO_TOKEN,
            host=options.host,
            port=options.port,
            bot_username="machikoe_demo_bot",
        )
        await server.start()
    except BaseException:
        await services.close()
        await line.stop()
        raise
    application = build_application(
        services, server.token, base_url=server.base_url, base_file_url=server.file_base_url
    )
    jobs = wave_jobs_for(services, application)
    try:
        await start(application, poll_timeout=10)
        await jobs.start()
        console = await _start_console(services, options)
        await line.start(services)
    except BaseException:
        await jobs.stop()
        await stop(application)
        await server.stop()
        await line.stop()
        await services.close()
        raise
    server.line_port = line.port
    return DemoRun(
        folder,
        services,
        server,
        application,
        survey,
        wave_id,
        console=console,
        line=line,
        jobs=jobs,
    )


async def _start_console(services: Services, options: DemoOptions) -> ConsoleServer:
    """The staff console on the demo's database, with a clearly marked demo admin."""
    await make_staff(services, DEMO_ADMIN_ID)
    app = create_app(services, base_url="http://demo.invalid", demo=True)
    console = ConsoleServer(app, options.host, options.console_listen_port)
    await console.start()
    app.state.base_url = console.url
    return console


def _say_where(run: DemoRun, options: DemoOptions, say: Say) -> None:
    """The data folder and the chat page, each only when the user can still use it."""
    if not run.temporary:
        say(f"data folder: {run.data_dir}")
    elif not options.exit_after:
        say(f"data folder: {run.data_dir} (removed when the demo stops; --data-dir DIR keeps it)")
    if not options.exit_after:
        say(f"chat page: {run.url}  (each tab is a resident; 職員として開く = staff)")
        say(f"staff console: {run.console_url}  (logged in as the demo admin)")
        say(f"LINE: {run.url}?channel=line  (a resident on LINE, rich menu and all)")


async def stop_demo(run: DemoRun) -> None:
    """Stop the bot, the server and the database; a temporary data folder is removed."""
    pipeline = comments.pipeline_of(run.services)
    try:
        if run.console is not None:
            await run.console.stop()
        if run.jobs is not None:
            await run.jobs.stop()
        await stop(run.application)
        if pipeline is not None:
            pipeline.close()
    finally:
        try:
            await run.server.stop()
            if run.line is not None:
                await run.line.stop()
            await run.services.close()
        finally:
            if run.temporary:
                shutil.rmtree(run.data_dir, ignore_errors=True)


async def play_residents(run: DemoRun, count: int, show_progress: bool) -> SimulationResult:
    """Play `count` simulated residents with a progress bar."""
    personas = make_personas(run.survey, count)
    columns = (
        TextColumn("[bold]住民が回答中"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stuck]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not show_progress, transient=False) as progress:
        task = progress.add_task("residents", total=count, stuck="")
        stuck = 0

        def done(ok: bool) -> None:
            nonlocal stuck
            stuck += 0 if ok else 1
            progress.update(task, advance=1, stuck=f"止まった {stuck}" if stuck else "")

        return await simulate_residents(run.server.url, run.survey, personas, on_done=done)


async def write_report(run: DemoRun) -> Path:
    """Close the wave, classify its comments and write the HTML report (see report_dir)."""
    from analysis.report import render_html
    from bot.app.reports import build_wave_report

    await waves.close_wave(run.services, run.wave_id)
    pipeline = comments.install(run.services)
    await pipeline.wait_idle()
    await pipeline.classify_pending()
    async with run.services.uow() as uow:
        wave = await uow.waves.get(run.wave_id)
        assert wave is not None
        report = await build_wave_report(uow, wave, zone=run.services.timezone)
    html = await asyncio.to_thread(render_html, report)
    name = "machikoe-demo-report.html" if run.temporary else f"report-wave-{run.wave_id}.html"
    path = run.report_dir / name
    path.write_text(html, encoding="utf-8")
    return path


async def run_demo(options: DemoOptions, base: Settings, say: Say) -> Path | None:
    """The whole demo; returns the report path when residents were simulated."""
    run = await start_demo(options, base, say)
    report: Path | None = None
    try:
        if options.simulate > 0:
            once = "" if run.temporary else " (trained once per data folder)"
            say(f"preparing the comment classifier{once}…")
            await comments.install(run.services).warm_up()
            result = await play_residents(run, options.simulate, options.progress)
            say(
                f"{result.submitted} of {options.simulate} simulated residents submitted "
                f"in {result.seconds:.0f}s"
                + (f" ({result.stuck} got stuck)" if result.stuck else "")
            )
            report = await write_report(run)
            say(f"report: {report}")
            if not options.exit_after:
                run.wave_id = await open_demo_wave(run.services, run.survey, "デモ調査 2")
                say("a new wave is open for the page; Ctrl-C to stop")
        elif options.exit_after:
            say("the demo bot started and stopped (--exit); --simulate N adds residents")
        if not options.exit_after:
            done = asyncio.Event()
            with signals_set(done):
                await done.wait()
    finally:
        await stop_demo(run)
    return report
