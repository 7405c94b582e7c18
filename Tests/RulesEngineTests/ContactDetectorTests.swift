import Testing

@testable import RulesEngine

/// Ozon's rules for talking to buyers: what counts as a contact detail, and
/// the numbers and words Ozon's own texts are full of that do not.
struct ContactDetectorTests {
    @Test(arguments: [
        // links
        ("Подробнее на https://shop.example.com/care", ContactDetector.Finding.Kind.link, "https://shop.example.com/care"),
        ("см. http://x.ru.", .link, "http://x.ru"),
        ("Наш сайт www.teplo-shop.ru!", .link, "www.teplo-shop.ru"),
        ("Заходите на shop.ru", .link, "shop.ru"),
        ("Все товары: example.com", .link, "example.com"),
        ("Канал t.me/teplo_shop", .link, "t.me/teplo_shop"),
        ("Пишите wa.me/79123456789", .link, "wa.me/79123456789"),
        ("Группа vk.com/teplo", .link, "vk.com/teplo"),
        ("Наш магазин: чайники.рф", .link, "чайники.рф"),
        // e-mail
        ("Пишите: care@teplo-shop.ru, ответим", .email, "care@teplo-shop.ru"),
        ("ivan.petrov+ozon@mail.ru", .email, "ivan.petrov+ozon@mail.ru"),
        // phones
        ("Звоните +7 912 345-67-89", .phone, "+7 912 345-67-89"),
        ("Телефон 8 (912) 345 67 89.", .phone, "8 (912) 345 67 89"),
        ("или 89123456789", .phone, "89123456789"),
        ("тел. 9123456789", .phone, "9123456789"),
        ("+44 20 7946 0958", .phone, "+44 20 7946 0958"),
        ("Звоните: 495 123-45-67", .phone, "495 123-45-67"),
        ("8-912-345-67-89", .phone, "8-912-345-67-89"),
        // messengers
        ("Подпишитесь: @teplo_shop", .messenger, "@teplo_shop"),
        ("Наш telegram teplo_shop", .messenger, "telegram teplo_shop"),
        ("В телеграме: teploshop", .messenger, "телеграме: teploshop"),
        ("WhatsApp +79123456789", .messenger, "WhatsApp +79123456789"),
        ("вайбер 79123456789", .messenger, "вайбер 79123456789"),
        ("WeChat: teplo2026", .messenger, "WeChat: teplo2026"),
    ])
    func findsContactDetails(text: String, kind: ContactDetector.Finding.Kind, match: String) throws {
        let found = try #require(ContactDetector.firstContact(in: text), "nothing found in '\(text)'")
        #expect(found.kind == kind)
        #expect(found.match == match)
    }

    @Test(arguments: [
        // posting, order and tracking numbers
        "Ваш заказ 61930528-0117-1 доставлен.",
        "Заказ 0203317755-0001 собран",
        "Трек-номер KZN-4471-0935",
        "Трек CDEK1583307412",
        "Почта России: 80080012345678",
        "SKU 1955402173, артикул CHG-GAN-65W",
        // prices and amounts
        "Скидка 10% на заказы от 12 020 ₽",
        "Итого 1 299,00 ₽ за 2 шт.",
        "Возвращаем 1 234 567 890 ₽",
        // dates and times
        "Доставка 2026-05-20T12:00:00Z — 2026-05-21",
        "с 20.05.2026 по 21.05.2026",
        "Срок возврата: 14 дней, до 30 июня 2026 г.",
        // words that look like links or handles
        "Будем рады вашему отзыву на Ozon.",
        "Мы в г.Москва, т.е. рядом",
        "Стирайте при 30 °C наизнанку.",
        "Пишите нам в WhatsApp или в чат Ozon",
        "Кабель USB-C – USB-C 2 м, 100 Вт",
        "Промокод TEPLO10 до 30 июня",
        "1.5 кг, 27 см",
        "Email: не нужен @ здесь",
        "",
    ])
    func leavesOrdinaryTextsAlone(text: String) {
        #expect(ContactDetector.firstContact(in: text) == nil, "\(ContactDetector.firstContact(in: text).map(String.init(describing:)) ?? "")")
    }

    @Test func describesWhatItFound() {
        let found = ContactDetector.Finding(kind: .phone, match: "+7 912 345-67-89")
        #expect(found.description == "a phone number ('+7 912 345-67-89')")
        #expect(ContactDetector.Finding(kind: .email, match: "a@b.ru").description == "an e-mail address ('a@b.ru')")
    }
}
