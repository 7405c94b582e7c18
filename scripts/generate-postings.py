#!/usr/bin/env python3
"""Generates realistic Ozon v4 postings for benchmarks and load tests.

    scripts/generate-postings.py --count 100000 --format ndjson > postings.ndjson
    scripts/generate-postings.py --count 5000 --format v4 > list.json

Deterministic for a given --seed. Products come from examples/rules/catalog.json
(plus two offer_ids the catalog does not know), 1-5 products per posting.
"""
import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = [("Москва", "Москва"), ("Санкт-Петербург", "Санкт-Петербург"), ("Казань", "Татарстан"),
          ("Новосибирск", "Новосибирская область"), ("Екатеринбург", "Свердловская область"),
          ("Владивосток", "Приморский край"), ("Краснодар", "Краснодарский край"), ("Химки", "Московская область")]
STATUSES = ["awaiting_packaging"] * 14 + ["awaiting_deliver"] * 3 + ["delivering", "delivered", "cancelled"]


def products_catalog():
    catalog = json.loads((ROOT / "examples/rules/catalog.json").read_text())
    items = []
    for index, (offer_id, facts) in enumerate(sorted(catalog.items())):
        items.append((offer_id, 1790000000 + index * 7, facts.get("weight_g", 300)))
    items.append(("KEYCHAIN-PANDA", 1790009001, 30))
    items.append(("SCARF-SILK-RED", 1790009002, 0))
    return items


def posting(rng, number, items):
    city, region = rng.choice(CITIES)
    chosen = rng.sample(items, rng.randint(1, 5))
    products = []
    for offer_id, sku, weight_g in chosen:
        product = {
            "sku": sku, "offer_id": offer_id, "name": f"Товар {offer_id}", "quantity": rng.randint(1, 3),
            "price": {"amount": str(rng.randint(199, 8999)), "currency": "RUB"},
            "is_blr_traceable": False, "is_marketplace_buyout": False, "imei": [],
        }
        if weight_g:
            product["weight"] = round(weight_g / 1000, 3)
        products.append(product)
    day = 10 + number % 15
    return {
        "posting_number": f"{70000000 + number // 3:08d}-{number % 1000:04d}-1",
        "order_id": 40000000000 + number,
        "order_number": f"{70000000 + number // 3:08d}-{number % 1000:04d}",
        "status": rng.choice(STATUSES),
        "substatus": "posting_created",
        "in_process_at": f"2026-05-{day:02d}T07:41:12Z",
        "shipment_date": f"2026-05-{day + 2:02d}T09:00:00Z",
        "delivering_date": None,
        "delivery_method": {"id": 1020000432876000, "name": "Доставка Ozon курьеру", "warehouse_id": 1020000432876000,
                            "warehouse": "Москва, склад Южные ворота", "tpl_provider_id": 24, "tpl_provider": "Доставка Ozon"},
        "delivery_schema": "fbs",
        "tpl_integration_type": rng.choice(["ozon", "ozon", "ozon", "3pl_tracking", "non_integrated"]),
        "tracking_number": "",
        "is_express": rng.random() < 0.05,
        "customer": None,
        "products": products,
        "analytics_data": {"region": region, "city": city, "delivery_type": rng.choice(["PVZ", "Courier"]),
                           "is_premium": False, "payment_type_group_name": "картой онлайн",
                           "delivery_date_begin": f"2026-05-{day + 3:02d}T06:00:00Z",
                           "delivery_date_end": f"2026-05-{day + 3:02d}T18:00:00Z"},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=["ndjson", "v4"], default="ndjson")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = products_catalog()
    out = sys.stdout
    if args.format == "ndjson":
        for number in range(args.count):
            out.write(json.dumps(posting(rng, number, items), ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        postings = [posting(rng, number, items) for number in range(args.count)]
        json.dump({"postings": postings, "cursor": "", "has_next": False}, out, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
