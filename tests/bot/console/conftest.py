"""Console fixtures: services on a migrated database, the app, and clients logged in by link."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.app.services import Services
from bot.config import Settings
from bot.console.app import create_app
from bot.console.auth import login_url
from bot.console.serve import ConsoleServer
from storage.db import create_engine, session_factory
from storage.records import RespondentRecord
from surveys.modes import ResponseMode
from surveys.roles import Role
from tests.builders import NOW, PROFILE, Clock

ADMIN_ID = 1001
ANALYST_ID = 2002
BASE_URL = "http://console.test"


@pytest.fixture
async def services(migrated_database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    """Services on an isolated migrated database, with a clock the test moves."""
    engine = create_engine(migrated_database_url)
    services = Services(
        settings=Settings(data_dir=tmp_path, database_url=migrated_database_url),
        engine=engine,
        sessions=session_factory(engine),
        secret="console-test-secret",
        clock=Clock(NOW),
    )
    yield services
    await services.close()


@pytest.fixture
async def console_url(services: Services) -> AsyncIterator[str]:
    """The console served on a free local port (for the browser tests)."""
    server = ConsoleServer(create_app(services))
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


@pytest.fixture
def clock(services: Services) -> Clock:
    """The services' clock."""
    assert isinstance(services.clock, Clock)
    return services.clock


@pytest.fixture
def app(services: Services) -> Starlette:
    """The console app on the test services."""
    return create_app(services, base_url=BASE_URL)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process (no session yet)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def add_staff(services: Services, user_id: int, role: Role) -> None:
    """Register a staff member."""
    async with services.uow() as uow:
        await uow.staff.add(user_id, role, services.now())
        await uow.commit()


async def line_respondent(services: Services, number: int) -> RespondentRecord:
    """A consenting resident whose contact is a LINE user."""
    async with services.uow() as uow:
        respondent = await uow.respondents.get_or_create(f"line:key-{number:04d}", NOW)
        await uow.respondents.set_consent(respondent.id, "given", NOW)
        await uow.contacts.upsert(respondent.id, f"U{number:032x}", NOW)
        await uow.profiles.update(respondent.id, at=NOW, **PROFILE)
        await uow.commit()
    return respondent


async def answered(
    services: Services, wave_id: int, respondent: RespondentRecord, mode: ResponseMode, done: bool
) -> None:
    """The resident's response in this mode, submitted when done."""
    async with services.uow() as uow:
        response = await uow.responses.start(wave_id, respondent.id, respondent.key, NOW, mode=mode)
        if done:
            await uow.responses.submit(response.id, PROFILE, NOW)
        await uow.commit()


def form_field(html: str, name: str) -> str:
    """The value of a hidden form field in a page."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


@dataclass
class LoginPage:
    """A login link opened in a client: the confirmation page's form."""

    token: str
    check: str


async def open_link(client: httpx.AsyncClient, link: str) -> LoginPage:
    """GET a login link and read its confirmation form."""
    page = await client.get(link.removeprefix(BASE_URL))
    assert page.status_code == 200, page.text
    return LoginPage(form_field(page.text, "token"), form_field(page.text, "csrf_token"))


async def log_in(client: httpx.AsyncClient, services: Services, user_id: int) -> str:
    """Log a client in through a fresh one-time link; returns the session's CSRF token."""
    login = await open_link(client, login_url(services, user_id, BASE_URL))
    done = await client.post("/login", data={"token": login.token, "csrf_token": login.check})
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    home = await client.get("/")
    assert home.status_code == 200
    return form_field(home.text, "csrf_token")


@pytest.fixture
async def admin(client: httpx.AsyncClient, services: Services) -> str:
    """The client logged in as an admin; the value is the session's CSRF token."""
    await add_staff(services, ADMIN_ID, Role.ADMIN)
    return await log_in(client, services, ADMIN_ID)


@pytest.fixture
async def analyst(client: httpx.AsyncClient, services: Services) -> str:
    """The client logged in as an analyst; the value is the session's CSRF token."""
    await add_staff(services, ANALYST_ID, Role.ANALYST)
    return await log_in(client, services, ANALYST_ID)
