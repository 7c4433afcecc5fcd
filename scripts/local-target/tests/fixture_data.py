"""Small, seeded fixtures for the three datasources, made to contain ties (same counts, same timestamps)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

BASE = datetime(2025, 5, 12, 0, 0, 0, tzinfo=UTC)
ENTRY_POINTS = ["main entrance", "side door", "back door", "patio entrance", "parking entrance"]
TAGS = ["loyalty member", "weekday shopper", "weekend shopper", "purchasing", "first visit"]
EVENT_TYPES = ["view", "add_to_cart", "remove_from_cart", "purchase"]
COUNTRIES = ["US", "France", "Spain", "Germany", "Japan"]
TOUCHPOINT_TYPES = ["ad_impression", "ad_click", "email_open", "email_click", "social_engagement", "search",
                    "page_view", "product_view", "add_to_cart", "checkout", "purchase", "support_chat"]
CHANNELS = ["website", "mobile_app", "email", "social", "search", "display", "affiliate", "referral"]
DEVICES = ["desktop", "mobile", "tablet"]
CAMPAIGNS = ["", "summer_sale", "spring_promo", "retarget_1", "brand"]


def fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def store_visits(seed: int = 7, n: int = 120) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        t = BASE + timedelta(days=rng.randrange(3), hours=rng.randrange(24), seconds=rng.randrange(0, 3600, 600))
        rows.append({
            "visit_id": f"visit_{i}", "store_id": f"store_{rng.randint(1, 6)}", "timestamp": fmt(t),
            "visitor_id": f"visitor_{rng.randint(1, 25)}", "entry_point": rng.choice(ENTRY_POINTS),
            "exit_point": rng.choice(ENTRY_POINTS), "dwell_time_seconds": rng.randint(30, 3600),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
        })
    return rows


def ecommerce_events(seed: int = 11, n: int = 300) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        t = BASE + timedelta(hours=rng.randrange(6), minutes=rng.randrange(60), seconds=rng.randrange(60))
        rows.append({
            "event_time": fmt(t), "event_type": rng.choice(EVENT_TYPES), "user_id": f"user_{rng.randint(1, 40)}",
            "product_id": f"prod_{rng.randint(1, 18)}", "category": rng.choice(["Books", "Toys", "Garden"]),
            "price": float(rng.choice([5, 10, 20, 25, 50, 100])), "quantity": rng.randint(1, 4),
            "session_id": f"session_{rng.randint(1, 60)}", "country": rng.choice(COUNTRIES),
        })
    return rows


def customer_touchpoints(seed: int = 13, customers: int = 30) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    tp = 0
    for c in range(customers):
        t = BASE + timedelta(hours=rng.randrange(48))
        length = rng.randint(1, 9)
        session = 0
        for _ in range(length):
            kind = rng.choice(TOUCHPOINT_TYPES)
            if rng.random() < 0.3:
                session += 1
            converted = kind == "purchase" and rng.random() < 0.8
            amount = rng.choice([12.5, 20.0, 49.75, 100.25]) if converted else 0.0
            rows.append({
                "customer_id": f"cust_{c}", "session_id": f"sess_{c}_{session}", "timestamp": fmt(t),
                "touchpoint_id": f"tp_{tp:05d}", "touchpoint_type": kind, "channel": rng.choice(CHANNELS),
                "device": rng.choice(DEVICES), "campaign_id": rng.choice(CAMPAIGNS), "conversion": int(converted),
                "transaction_amount": amount, "referrer": rng.choice(["google.com", "", "news.site"]),
                "page_url": f"https://example.com/p/{rng.randint(1, 9)}", "time_spent": rng.randint(0, 300),
                "action": rng.choice(["view", "click", "submit"]), "metadata": '{"k":"v"}',
            })
            tp += 1
            # some touchpoints share a timestamp with the next one: the tie-breaker decides their order
            t += timedelta(seconds=rng.choice([0, 30, 60, 600, 3600]))
    # journey_paths needs repeated paths: add identical short converting journeys
    for c in range(customers, customers + 4):
        t = BASE + timedelta(hours=c)
        for k, kind in enumerate(["ad_click", "product_view", "purchase"]):
            rows.append({
                "customer_id": f"cust_{c}", "session_id": f"sess_{c}_0", "timestamp": fmt(t + timedelta(minutes=5 * k)),
                "touchpoint_id": f"tp_{tp:05d}", "touchpoint_type": kind, "channel": "website", "device": "mobile",
                "campaign_id": "brand", "conversion": int(kind == "purchase"),
                "transaction_amount": 20.0 if kind == "purchase" else 0.0, "referrer": "", "page_url": "u",
                "time_spent": 10, "action": "view", "metadata": "{}",
            })
            tp += 1
    rng.shuffle(rows)
    return rows
