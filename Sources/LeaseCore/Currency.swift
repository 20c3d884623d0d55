/// ISO 4217 currencies and the five signs the language writes before amounts.
public enum Currency {
    /// Sign written before the number (`$1.25B`), for the currencies that have one.
    public static let signs: [Character: String] = ["$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW"]
    public static let signOf: [String: String] = ["USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "KRW": "₩"]

    /// Active ISO 4217 codes. The most traded come first; every code is a unit.
    public static let codes: [String] = [
        "USD", "EUR", "JPY", "GBP", "CNY", "AUD", "CAD", "CHF", "HKD", "SGD",
        "SEK", "KRW", "NOK", "NZD", "INR", "MXN", "TWD", "ZAR", "BRL", "DKK",
        "PLN", "THB", "ILS", "IDR", "CZK", "AED", "TRY", "HUF", "CLP", "SAR",
        "PHP", "MYR", "COP", "RUB", "RON", "PEN", "BHD", "BGN", "ARS", "KWD",
        "QAR", "OMR", "JOD", "EGP", "NGN", "PKR", "VND", "BDT", "KZT", "UAH",
        "MAD", "KES", "LKR", "ISK", "GHS", "DZD", "TND", "UYU", "BOB", "PYG",
        "CRC", "DOP", "GTQ", "HNL", "NIO", "PAB", "JMD", "TTD", "BSD", "BBD",
        "BZD", "BMD", "KYD", "XCD", "AWG", "ANG", "SRD", "GYD", "HTG", "CUP",
        "VES", "AFN", "ALL", "AMD", "AOA", "AZN", "BAM", "BIF", "BND", "BTN",
        "BWP", "BYN", "CDF", "CVE", "DJF", "ERN", "ETB", "FJD", "FKP", "GEL",
        "GIP", "GMD", "GNF", "IQD", "IRR", "KGS", "KHR", "KMF", "KPW", "LAK",
        "LBP", "LRD", "LSL", "LYD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
        "MRU", "MUR", "MVR", "MWK", "MZN", "NAD", "NPR", "PGK", "RSD", "RWF",
        "SBD", "SCR", "SDG", "SHP", "SLE", "SOS", "SSP", "STN", "SYP", "SZL",
        "TJS", "TMT", "TOP", "TZS", "UGX", "UZS", "VUV", "WST", "XAF", "XOF",
        "XPF", "YER", "ZMW", "ZWL",
    ]
}
