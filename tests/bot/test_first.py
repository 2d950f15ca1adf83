from tests.bot.harness import Person, texts


async def test_smoke(worker: Person) -> None:
    assert "Hello" in worker.last().text
    calls = await worker.say("/new")
    print(texts(calls))
    assert "When was the session" in worker.last().text
