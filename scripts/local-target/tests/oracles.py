"""Expected pipe results computed in plain Python from the fixture rows (independent of the SQL engine)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

FUNNEL = ["ad_impression", "social_engagement", "email_open", "search", "ad_click", "email_click", "page_view",
          "product_view", "support_chat", "add_to_cart", "checkout", "purchase"]


def epoch(s: str) -> int:
    return int(datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def fmt(e: int) -> str:
    return datetime.fromtimestamp(e, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def r2(x: float) -> float:
    return round(x, 2)


def in_window(rows: list[dict], p: dict, col: str = "timestamp") -> list[dict]:
    lo = epoch(p["start_date"]) if "start_date" in p else None
    hi = epoch(p["end_date"]) if "end_date" in p else None
    return [r for r in rows if (lo is None or epoch(r[col]) >= lo) and (hi is None or epoch(r[col]) <= hi)]


def group(rows: list[dict], key: Callable[[dict], Any]) -> dict[Any, list[dict]]:
    out: dict[Any, list[dict]] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def order(rows: list[dict], *keys: tuple[str, bool]) -> list[dict]:
    """Sort by several (column, descending) keys, last key applied first (stable sorts)."""
    out = list(rows)
    for col, desc in reversed(keys):
        out.sort(key=lambda r: r[col], reverse=desc)
    return out


# --- store_visits -------------------------------------------------------------------------------
def visitor_details(rows: list[dict], p: dict) -> list[dict]:
    rows = in_window(rows, p)
    if "visitor_id" in p:
        rows = [r for r in rows if r["visitor_id"] == p["visitor_id"]]
    out = []
    for visitor, rs in group(rows, lambda r: r["visitor_id"]).items():
        ts = [epoch(r["timestamp"]) for r in rs]
        out.append({
            "visitor_id": visitor, "total_visits": len(rs), "first_visit": fmt(min(ts)), "last_visit": fmt(max(ts)),
            "avg_dwell_time": sum(r["dwell_time_seconds"] for r in rs) / len(rs),
            "visited_stores": [r["store_id"] for r in rs], "entry_points": [r["entry_point"] for r in rs],
            "visit_tags": [r["tags"] for r in rs],
        })
    if "visitor_id" in p:
        return out
    return order(out, ("last_visit", True), ("visitor_id", False))[: int(p.get("limit", 100))]


def hourly_traffic_patterns(rows: list[dict], p: dict) -> list[dict]:
    rows = in_window(rows, p)
    if "store_id" in p:
        rows = [r for r in rows if r["store_id"] == p["store_id"]]
    out = []
    for hour, rs in sorted(group(rows, lambda r: int(r["timestamp"][11:13])).items()):
        out.append({"hour_of_day": hour, "visit_count": len(rs), "unique_visitors": len({r["visitor_id"] for r in rs}),
                    "avg_dwell_time": r2(sum(r["dwell_time_seconds"] for r in rs) / len(rs))})
    return out


def visits_by_store(rows: list[dict], p: dict) -> list[dict]:
    rows = in_window(rows, p)
    if "store_id" in p:
        rows = [r for r in rows if r["store_id"] == p["store_id"]]
    out = []
    for store, rs in group(rows, lambda r: r["store_id"]).items():
        ts = [epoch(r["timestamp"]) for r in rs]
        dwell = [r["dwell_time_seconds"] for r in rs]
        out.append({"store_id": store, "visit_count": len(rs), "unique_visitors": len({r["visitor_id"] for r in rs}),
                    "avg_dwell_time": r2(sum(dwell) / len(rs)), "total_dwell_time": sum(dwell),
                    "first_visit": fmt(min(ts)), "last_visit": fmt(max(ts))})
    return order(out, ("visit_count", True), ("store_id", False))[: int(p.get("limit", 100))]


# --- ecommerce_events ---------------------------------------------------------------------------
def top_products(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for product, rs in group([r for r in rows if r["event_type"] == "purchase"], lambda r: r["product_id"]).items():
        out.append({"product_id": product, "total_quantity": sum(r["quantity"] for r in rs),
                    "total_revenue": sum(r["price"] * r["quantity"] for r in rs)})
    return order(out, ("total_revenue", True), ("product_id", False))[:10]


def events_by_country(rows: list[dict], p: dict) -> list[dict]:
    out = [{"country": c, "event_count": len(rs)} for c, rs in group(rows, lambda r: r["country"]).items()]
    return order(out, ("event_count", True), ("country", False))


def total_revenue(rows: list[dict], p: dict) -> list[dict]:
    bins = group([r for r in rows if r["event_type"] == "purchase"], lambda r: epoch(r["event_time"]) // 900 * 900)
    return [{"time_bin": fmt(b), "total_revenue": sum(r["price"] * r["quantity"] for r in rs)}
            for b, rs in sorted(bins.items())]


# --- customer_touchpoints -----------------------------------------------------------------------
TP_COLUMNS = ["customer_id", "session_id", "timestamp", "touchpoint_id", "touchpoint_type", "channel", "device",
              "campaign_id", "conversion", "transaction_amount", "referrer", "page_url", "time_spent", "action",
              "metadata"]


def _filtered(rows: list[dict], p: dict, channel: bool = False) -> list[dict]:
    rows = in_window(rows, p)
    if channel and "channel" in p:
        rows = [r for r in rows if r["channel"] == p["channel"]]
    return rows


def _sequence(rs: list[dict]) -> list[dict]:
    return sorted(rs, key=lambda r: (r["timestamp"], r["touchpoint_id"], r["touchpoint_type"],
                                     r["conversion"], r["transaction_amount"]))


def customer_journey_details(rows: list[dict], p: dict) -> list[dict]:
    rs = [r for r in _filtered(rows, p) if r["customer_id"] == p["customer_id"]]
    rs = sorted(rs, key=lambda r: (r["timestamp"], r["touchpoint_id"], r["session_id"]))
    out = [{c: r[c] for c in TP_COLUMNS} for r in rs]
    return out[: int(p["limit"])] if "limit" in p else out


def touchpoint_time_analysis(rows: list[dict], p: dict) -> list[dict]:
    gaps: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _, rs in group(_filtered(rows, p, channel=True), lambda r: r["customer_id"]).items():
        seq = _sequence(rs)
        for a, b in pairwise(seq):
            gaps[(a["touchpoint_type"], b["touchpoint_type"])].append(epoch(b["timestamp"]) - epoch(a["timestamp"]))
    out = [{"from_touchpoint": f, "to_touchpoint": t, "transitions": len(g), "avg_seconds_between": r2(sum(g) / len(g)),
            "min_seconds_between": min(g), "max_seconds_between": max(g)} for (f, t), g in gaps.items()]
    return order(out, ("transitions", True), ("from_touchpoint", False), ("to_touchpoint", False))


def device_channel_analysis(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for (device, channel), rs in group(_filtered(rows, p), lambda r: (r["device"], r["channel"])).items():
        conv = sum(r["conversion"] for r in rs)
        out.append({"device": device, "channel": channel, "touchpoints": len(rs),
                    "unique_customers": len({r["customer_id"] for r in rs}),
                    "sessions": len({r["session_id"] for r in rs}), "conversions": conv,
                    "conversion_rate": r2(100 * conv / len(rs)),
                    "total_revenue": r2(sum(r["transaction_amount"] for r in rs)),
                    "avg_time_spent": r2(sum(r["time_spent"] for r in rs) / len(rs))})
    return order(out, ("touchpoints", True), ("device", False), ("channel", False))


def touchpoint_funnel(rows: list[dict], p: dict) -> list[dict]:
    rows = _filtered(rows, p, channel=True)
    all_customers = len({r["customer_id"] for r in rows})
    out, prev = [], None
    by_type = group(rows, lambda r: r["touchpoint_type"])
    for step, kind in enumerate(FUNNEL, start=1):
        rs = by_type.get(kind)
        if not rs:
            continue
        customers = len({r["customer_id"] for r in rs})
        before = customers if prev is None else prev
        out.append({"funnel_step": step, "touchpoint_type": kind,
                    "journey_stage": "awareness" if step <= 4 else "consideration" if step <= 9 else "conversion",
                    "customers": customers, "touchpoints": len(rs),
                    "pct_of_customers": r2(100 * customers / all_customers),
                    "dropoff_pct": r2(100 * (before - customers) / before)})
        prev = customers
    return out


def customer_journey_summary(rows: list[dict], p: dict) -> list[dict]:
    rows = _filtered(rows, p)
    if "customer_id" in p:
        rows = [r for r in rows if r["customer_id"] == p["customer_id"]]
    out = []
    for customer, rs in group(rows, lambda r: r["customer_id"]).items():
        ts = [epoch(r["timestamp"]) for r in rs]
        out.append({"customer_id": customer, "total_touchpoints": len(rs), "sessions": len({r["session_id"] for r in rs}),
                    "channels_used": len({r["channel"] for r in rs}), "first_touchpoint": fmt(min(ts)),
                    "last_touchpoint": fmt(max(ts)), "journey_duration_seconds": max(ts) - min(ts),
                    "converted": max(r["conversion"] for r in rs), "conversions": sum(r["conversion"] for r in rs),
                    "total_revenue": r2(sum(r["transaction_amount"] for r in rs)),
                    "total_time_spent": sum(r["time_spent"] for r in rs)})
    return order(out, ("last_touchpoint", True), ("customer_id", False))[: int(p.get("limit", 100))]


def journey_paths(rows: list[dict], p: dict) -> list[dict]:
    """A journey: a customer's time-ordered touchpoints up to and including each conversion."""
    paths: dict[str, list[tuple[int, float]]] = defaultdict(list)
    lengths: dict[str, int] = {}
    for _, rs in group(_filtered(rows, p), lambda r: r["customer_id"]).items():
        journey: list[dict] = []
        for r in _sequence(rs):
            journey.append(r)
            if r["conversion"] != 1:
                continue
            path = " > ".join(t["touchpoint_type"] for t in journey)
            lengths[path] = len(journey)
            paths[path].append((epoch(journey[-1]["timestamp"]) - epoch(journey[0]["timestamp"]), journey[-1]["transaction_amount"]))
            journey = []
    out = [{"journey_path": path, "path_length": lengths[path], "journeys": len(v),
            "avg_seconds_to_conversion": r2(sum(s for s, _ in v) / len(v)), "total_revenue": r2(sum(a for _, a in v))}
           for path, v in paths.items() if len(v) >= int(p.get("min_count", 1))]
    return order(out, ("journeys", True), ("journey_path", False))[: int(p.get("limit", 20))]


def channel_performance(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for channel, rs in group(_filtered(rows, p), lambda r: r["channel"]).items():
        customers = {r["customer_id"] for r in rs}
        converting = {r["customer_id"] for r in rs if r["conversion"] == 1}
        conv = sum(r["conversion"] for r in rs)
        conv_revenue = sum(r["transaction_amount"] for r in rs if r["conversion"] == 1)
        out.append({"channel": channel, "touchpoints": len(rs), "unique_customers": len(customers),
                    "sessions": len({r["session_id"] for r in rs}), "conversions": conv,
                    "converting_customers": len(converting),
                    "customer_conversion_rate": r2(100 * len(converting) / len(customers)),
                    "total_revenue": r2(sum(r["transaction_amount"] for r in rs)),
                    "avg_order_value": 0 if conv == 0 else r2(conv_revenue / conv),
                    "avg_time_spent": r2(sum(r["time_spent"] for r in rs) / len(rs))})
    return order(out, ("total_revenue", True), ("channel", False))


def campaign_performance(rows: list[dict], p: dict) -> list[dict]:
    rows = [r for r in _filtered(rows, p) if r["campaign_id"] != ""]
    if "campaign_id" in p:
        rows = [r for r in rows if r["campaign_id"] == p["campaign_id"]]
    out = []
    for campaign, rs in group(rows, lambda r: r["campaign_id"]).items():
        customers = {r["customer_id"] for r in rs}
        impressions = sum(r["touchpoint_type"] == "ad_impression" for r in rs)
        clicks = sum(r["touchpoint_type"] in ("ad_click", "email_click") for r in rs)
        revenue = sum(r["transaction_amount"] for r in rs)
        out.append({"campaign_id": campaign, "touchpoints": len(rs), "unique_customers": len(customers),
                    "channels": len({r["channel"] for r in rs}), "impressions": impressions, "clicks": clicks,
                    "click_through_rate": 0 if impressions == 0 else r2(100 * clicks / impressions),
                    "conversions": sum(r["conversion"] for r in rs),
                    "customer_conversion_rate": r2(100 * len({r["customer_id"] for r in rs if r["conversion"] == 1})
                                                   / len(customers)),
                    "total_revenue": r2(revenue), "revenue_per_customer": r2(revenue / len(customers))})
    return order(out, ("total_revenue", True), ("campaign_id", False))[: int(p.get("limit", 100))]
