// Fixtures in Ozon's documented formats (ozon-api.md §2.4, §5), written for these tests. They live
// in Swift rather than .json files because the test target declares no resources.

enum Fixtures {
    /// `/v4/posting/fbs/list`: the example of ozon-api.md §2.4 plus a second, rFBS posting with
    /// IDs written as strings, a 2026-style tariffication object and financial data.
    static let v4List = #"""
    {
      "cursor": "eyJmaWVsZHMiOltdfQ==",
      "has_next": false,
      "postings": [{
        "posting_number": "61930528-0117-1",
        "order_id": 31847220931,
        "order_number": "61930528-0117",
        "parent_posting_number": "",
        "status": "awaiting_packaging",
        "substatus": "posting_created",
        "available_actions": ["cancel", "product_cancel", "ship", "ship_async"],
        "in_process_at": "2026-05-14T07:41:12Z",
        "shipment_date": "2026-05-15T09:00:00Z",
        "shipment_date_without_delay": "2026-05-17T16:59:00Z",
        "delivering_date": null,
        "delivery_method": {
          "id": 1020000432876000, "name": "Доставка Ozon курьеру, Казань",
          "warehouse_id": 1020000432876000, "warehouse": "Казань, Сибирский тракт",
          "tpl_provider_id": 24, "tpl_provider": "Доставка Ozon"
        },
        "delivery_schema": "fbs",
        "tpl_integration_type": "ozon",
        "integration_type_flow": "ozon",
        "tracking_number": "",
        "is_express": false,
        "is_multibox": false,
        "multi_box_qty": 1,
        "customer": null,
        "addressee": null,
        "products": [{
          "sku": 1734059281, "offer_id": "MUG-330-BLUE", "name": "Кружка керамическая 330 мл, синяя",
          "quantity": 2, "price": { "amount": "649", "currency": "RUB" },
          "is_blr_traceable": false, "is_marketplace_buyout": false, "imei": [], "weight": 0.41
        }],
        "analytics_data": {
          "region": "", "city": "Казань", "delivery_type": "Courier", "is_premium": false, "is_legal": false,
          "payment_type_group_name": "картой онлайн", "warehouse_id": 1020000432876000,
          "delivery_date_begin": "2026-05-16T06:00:00Z", "delivery_date_end": "2026-05-16T18:00:00Z"
        },
        "cancellation": {
          "cancel_reason_id": 0, "cancel_reason": "", "cancellation_type": "",
          "cancellation_initiator": "", "cancelled_after_ship": false, "affect_cancellation_rating": false
        },
        "requirements": {
          "products_requiring_country": [], "products_requiring_gtd": ["1734059281"], "products_requiring_rnpt": [],
          "products_requiring_mandatory_mark": [], "products_requiring_jw_uin": [], "products_requiring_imei": [],
          "products_requiring_weight": [], "products_requiring_change_country": []
        }
      }, {
        "posting_number": "0132112277-0102-1",
        "order_id": "40213398817",
        "order_number": "0132112277-0102",
        "status": "awaiting_deliver",
        "substatus": "posting_transferring_to_delivery",
        "shipment_date": "2026-05-18T10:00:00Z",
        "delivery_method": {
          "id": "23901028732000", "name": "СДЭК до ПВЗ", "warehouse_id": "23901028732000",
          "warehouse": "Иу, склад 2", "tpl_provider_id": "1271", "tpl_provider": "СДЭК"
        },
        "tpl_integration_type": "3pl_tracking",
        "is_express": true,
        "products": [
          { "sku": "2203411190", "offer_id": "TEA-PUER-357", "name": "Чай пуэр, блин 357 г",
            "quantity": 3, "price": { "amount": "1530.50", "currency": "CNY" }, "weight": 0.357 },
          { "sku": 2203411191, "offer_id": "CUP-GAIWAN", "name": "Гайвань фарфоровая 150 мл",
            "quantity": 1, "price": { "amount": "899", "currency": "CNY" }, "weight": 0 }
        ],
        "financial_data": {
          "cluster_from": "Китай", "cluster_to": "Москва",
          "products": [{ "product_id": "2203411190", "price": 1530.5, "old_price": 1799.0, "payout": 1301.93,
                         "total_discount_value": 268.5, "total_discount_percent": 14.92, "quantity": 3,
                         "commission": { "amount": "228.57", "currency": "CNY", "percent": 15 } }]
        },
        "tariffication": {
          "current_tariff_rate": 0, "current_tariff_type": "no_discount",
          "current_tariff_charge": { "amount": "0", "currency": "CNY" },
          "next_tariff_rate": 3, "next_tariff_type": "commission",
          "next_tariff_charge": { "amount": "45.92", "currency": "CNY" },
          "next_tariff_starts_at": "2026-05-18T10:00:00Z"
        }
      }]
    }
    """#

    /// `/v3/posting/fbs/list`: the same first posting in v3 shape (string price + `currency_code`,
    /// tariffication as a 2025-style array).
    static let v3List = #"""
    {"result": {"postings": [{
      "posting_number": "61930528-0117-1", "order_id": 31847220931, "order_number": "61930528-0117",
      "status": "awaiting_packaging", "substatus": "posting_created",
      "shipment_date": "2026-05-15T09:00:00Z", "delivering_date": null,
      "delivery_method": { "id": 1020000432876000, "name": "Доставка Ozon курьеру, Казань",
        "warehouse_id": 1020000432876000, "warehouse": "Казань, Сибирский тракт",
        "tpl_provider_id": 24, "tpl_provider": "Доставка Ozon" },
      "tpl_integration_type": "ozon", "tracking_number": "", "is_express": false,
      "customer": null, "analytics_data": null, "financial_data": null,
      "products": [{ "sku": 1734059281, "offer_id": "MUG-330-BLUE", "name": "Кружка керамическая 330 мл, синяя",
        "quantity": 2, "price": "649.0000", "currency_code": "RUB", "imei": [] }],
      "tariffication": [{ "current_tariff_rate": 0, "current_tariff_type": "no_discount",
        "current_tariff_charge": "0", "current_tariff_charge_currency_code": "RUB",
        "next_tariff_rate": 3, "next_tariff_type": "commission", "next_tariff_charge": "19.47",
        "next_tariff_charge_currency_code": "RUB", "next_tariff_starts_at": "2026-05-15T09:00:00Z" }]
    }], "has_next": false}}
    """#

    /// `/v3/posting/fbs/get`: one posting under `result`, products with string `dimensions`.
    static let v3Get = #"""
    {"result": {
      "posting_number": "61930528-0117-1", "order_id": 31847220931, "order_number": "61930528-0117",
      "status": "delivering", "substatus": "posting_on_way_to_city", "previous_substatus": "posting_in_carriage",
      "shipment_date": "2026-05-15T09:00:00Z", "delivering_date": "2026-05-15T12:31:08Z",
      "delivery_method": { "id": 1020000432876000, "name": "Доставка Ozon курьеру, Казань",
        "warehouse_id": 1020000432876000, "warehouse": "Казань, Сибирский тракт",
        "tpl_provider_id": 24, "tpl_provider": "Доставка Ozon" },
      "tracking_number": "", "is_express": false, "delivery_price": "0.0000",
      "courier": null, "tariffication": [],
      "prr_option": { "code": "lift", "price": "150.00", "currency_code": "RUB", "floor": "5" },
      "products": [{ "sku": 1734059281, "offer_id": "MUG-330-BLUE", "name": "Кружка керамическая 330 мл, синяя",
        "quantity": 2, "price": "649.0000", "currency_code": "RUB",
        "dimensions": { "height": "100", "length": "120", "weight": "410", "width": "95" } }]
    }}
    """#

    /// `/v1/returns/list` (FBS), IDs quoted as in Ozon's example.
    static let fbsReturns = #"""
    {"returns": [{
      "id": "1000151238", "company_id": "2389041", "return_reason_name": "Товар не подошёл",
      "type": "ClientReturn", "schema": "Fbs", "order_id": "31847220931", "order_number": "61930528-0117",
      "posting_number": "61930528-0117-1", "source_id": "90001234",
      "place": { "id": "1020000087654000", "name": "ПВЗ Казань, Баумана 44", "address": "Казань, ул. Баумана, 44" },
      "product": { "sku": "1734059281", "offer_id": "MUG-330-BLUE", "name": "Кружка керамическая 330 мл, синяя",
        "quantity": 1, "price": { "price": 649, "currency_code": "RUB" },
        "price_without_commission": { "price": 551.65, "currency_code": "RUB" }, "commission_percent": 15,
        "commission": { "price": 97.35, "currency_code": "RUB" } },
      "logistic": { "technical_return_moment": null, "final_moment": null, "return_date": "2026-05-20T10:15:00Z",
        "barcode": "ii5275210303" },
      "visual": { "status": { "id": 3, "display_name": "В пути к продавцу", "sys_name": "MovingToSeller" },
        "change_moment": "2026-05-21T08:00:00Z" },
      "exemplars": [{ "id": "1019562967545956" }]
    }], "has_next": false}
    """#

    /// `/v2/returns/rfbs/list`, `returns` as an array (the Sep 2025 example), price as a string.
    static let rfbsListArray = #"""
    {"returns": [{
      "return_id": 6012983, "return_number": "0132112277-0102-1-1", "posting_number": "0132112277-0102-1",
      "order_number": "0132112277-0102", "created_at": "2026-05-25T13:02:44Z", "client_name": "",
      "product": { "sku": 2203411190, "offer_id": "TEA-PUER-357", "name": "Чай пуэр, блин 357 г",
        "price": "1530.50", "currency_code": "CNY" },
      "state": { "state": "NewRequest", "state_name": "Новая заявка", "group_state": "New",
        "money_return_state_name": "" }
    }]}
    """#

    /// `/v2/returns/rfbs/get`: one return under `returns` as an object, price as an integer.
    static let rfbsGet = #"""
    {"returns": {
      "return_id": 6012984, "return_number": "0132112277-0102-1-2", "posting_number": "0132112277-0102-1",
      "order_number": "0132112277-0102", "created_at": "2026-05-26T09:40:00Z",
      "product": { "sku": 2203411191, "offer_id": "CUP-GAIWAN", "name": "Гайвань фарфоровая 150 мл",
        "price": 899, "currency_code": "CNY" },
      "return_reason": { "id": 12, "name": "Товар пришёл с браком", "is_defect": true },
      "available_actions": [{ "id": 1, "name": "Одобрить" }, { "id": -1, "name": "Отклонить" }],
      "rejection_reason": [{ "id": 5, "name": "Нет брака", "hint": "", "is_comment_required": true }],
      "client_photo": ["https://cdn.example.invalid/return/6012984/1.jpg"],
      "comment": "Трещина на крышке", "warehouse_id": "23901028732000",
      "state": { "state": "NewRequest", "state_name": "Новая заявка" }
    }}
    """#

    /// A minimal valid v4 posting on one line, with `number` as posting_number.
    static func ndjsonPosting(_ number: String, status: String = "awaiting_packaging", amount: String = "649") -> String {
        #"{"posting_number":"\#(number)","status":"\#(status)","products":[{"sku":1734059281,"offer_id":"MUG-330-BLUE","name":"Кружка","quantity":1,"price":{"amount":"\#(amount)","currency":"RUB"}}]}"#
    }
}
