"""The sessions page pages by keyset: 100 newest, then "Older sessions" pages that together
list every session once, with the totals always over the whole filter."""

from __future__ import annotations

import re

from .helpers import World, add_sessions


async def test_sessions_page_walks_every_session_once(world: World) -> None:
    owner = world.actors["owner_a"]
    ids = add_sessions(world.database, world.clock, world.charger_ids["owner_a"], count=230,
                       prefix="many-")  # fmt: skip
    expected = {str(i) for i in ids} | {str(world.session_ids["owner_a"])}
    seen: list[str] = []
    path = "/sessions"
    pages = 0
    while True:
        page = await owner.client.get(path)
        assert page.status_code == 200
        pages += 1
        assert 'data-testid="total-count">233<' in page.text  # totals over all, every page
        seen += re.findall(r'<a href="/sessions/(\d+)">', page.text)
        older = re.search(r'data-testid="older" href="([^"]+)"', page.text)
        if older is None:
            break
        path = older.group(1).replace("&amp;", "&")
    assert pages == 3  # 100 + 100 + 33
    assert len(seen) == len(set(seen)) == 233
    assert expected <= set(seen)

    bad = await owner.client.get("/sessions?cursor=not-a-cursor")
    assert bad.status_code == 422


async def test_paging_keeps_the_filter(world: World) -> None:
    owner = world.actors["owner_a"]
    add_sessions(world.database, world.clock, world.charger_ids["owner_a"], count=150,
                 prefix="f-")  # fmt: skip
    first = (world.clock.now().date()).isoformat()
    page = await owner.client.get(f"/sessions?start=2000-01-01&end={first}")
    older = re.search(r'data-testid="older" href="([^"]+)"', page.text)
    assert older is not None
    assert older.group(1).startswith("/sessions?start=2000-01-01&amp;end=")
