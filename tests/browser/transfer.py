"""What a visit to a page costs on the wire, as Chromium counts it (DevTools' encoded bytes:
headers plus the body as sent, compressed or not; nothing for what came from the cache)."""


def bytes_per_visit(context, path, visits=2, ready=None):
    """Bytes transferred for each of ``visits`` visits to ``path`` in one browser context
    (the second and later find what the first cached); ``ready(page)`` waits for the page."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    counted = []
    cdp.on("Network.loadingFinished", lambda event: counted.append(event["encodedDataLength"]))
    totals = []
    for _ in range(visits):
        counted.clear()
        page.goto(path)
        if ready:
            ready(page)
        page.wait_for_load_state("networkidle")
        totals.append(sum(counted))
    page.close()
    return totals
