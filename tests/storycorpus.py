"""A small corpus with one wire story carried by three outlets (with small edits), for tests."""

WIRE = ("The central bank raised its main interest rate by half a percentage point on Thursday, "
        "the largest increase in more than two decades, as policymakers moved to cool prices "
        "that have climbed faster than wages for most of the year. The governor told reporters "
        "that further increases were likely in the coming months if inflation did not slow, "
        "and that the bank would watch the housing market closely. Economists had expected a "
        "smaller move. Shares of lenders rose after the announcement while the currency gained "
        "against the dollar. The decision was backed by seven of the nine members of the "
        "monetary policy committee, two of whom voted for a quarter point instead.")


def wire_copy(edits: dict[str, str]) -> str:
    """Return the wire story with words replaced (an outlet's edits)."""
    text = WIRE
    for old, new in edits.items():
        text = text.replace(old, new, 1)
    return text


UNRELATED = ("Farmers in the northern valley began the apple harvest early this year after a warm "
             "spring and a dry summer, and growers said the fruit was smaller but sweeter than "
             "usual. Cooperatives hired more pickers than last season, and several packing "
             "houses opened a week ahead of schedule to keep up with the crop. Prices at the "
             "regional market fell slightly as supply grew, though exporters reported strong "
             "demand from buyers abroad.")

STORY_RECORDS = [
    {"id": "w1", "title": "Central bank raises rates by half a point", "outlet": "Reuters",
     "date": "2022-05-05", "body": WIRE},
    {"id": "w2", "title": "Bank lifts rates, biggest rise in decades", "outlet": "CNN",
     "date": "2022-05-06",
     "body": wire_copy({"Thursday": "Thursday afternoon", "reporters": "journalists"})},
    {"id": "w3", "title": "Interest rates up half a point", "outlet": "BBC News",
     "date": "2022-05-07", "body": wire_copy({"Economists": "Analysts", "housing": "property"})},
    {"id": "u1", "title": "Apple harvest starts early", "outlet": "CNN", "date": "2022-09-01",
     "body": UNRELATED},
    # A different story sharing the topic's words: the bank and its interest rate
    {"id": "u2", "title": "Bank holds interest rate", "outlet": "BBC News", "date": "2022-06-01",
     "body": "The central bank left its interest rate unchanged on Wednesday after two "
             "increases this spring, saying that the economy had slowed and that it wanted to "
             "see how earlier moves worked through to borrowers before acting again. Mortgage "
             "lenders said demand for new loans had fallen, and the bank's own survey showed "
             "firms expected to raise prices more slowly in the second half of the year."},
    # Headline only: the same headline as w1, no text; never a copy of anything
    {"id": "h1", "title": "Central bank raises rates by half a point", "outlet": "Fox News",
     "date": "2022-05-05", "url": "https://example.org/h1"},
]
