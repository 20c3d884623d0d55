/// A calendar date at month (`2026-05`) or day (`2026-08-18`) precision.
///
/// Dates are their own type, apart from time quantities: adding `3 months`
/// moves along the calendar (clamping to the month's last day), while a
/// `month` converted to hours is the Gregorian average, 730.485 h.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Precision: Sendable { case month, day }

    public let year: Int
    public let month: Int
    public let day: Int
    public let precision: Precision

    public static let minYear = 1
    public static let maxYear = 9999

    /// nil when the fields do not name a real date in years 1–9999.
    public init?(year: Int, month: Int, day: Int? = nil) {
        guard (Self.minYear...Self.maxYear).contains(year), (1...12).contains(month) else { return nil }
        if let day {
            guard day >= 1, day <= Self.daysIn(year: year, month: month) else { return nil }
            self.day = day
            precision = .day
        } else {
            self.day = 1
            precision = .month
        }
        self.year = year
        self.month = month
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var daysInMonth: Int { Self.daysIn(year: year, month: month) }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The day with this ordinal, or nil outside years 1–9999.
    public static func fromOrdinal(_ z0: Int) -> CalendarDate? {
        guard let c = civil(z0) else { return nil }
        return CalendarDate(year: c.year, month: c.month, day: c.day)
    }

    /// Year, month and day of an ordinal (days since 1970-01-01), or nil
    /// outside years 1–9999: without building a date, for kernels that need
    /// only its month and day.
    @inlinable
    public static func civil(_ z0: Int) -> (year: Int, month: Int, day: Int)? {
        guard z0 > -800_000, z0 < 3_000_000 else { return nil }
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        guard y >= minYear, y <= maxYear else { return nil }
        return (y, m, d)
    }

    /// Ordinals of the calendar's days, years 1–9999.
    public static let ordinals: ClosedRange<Int> =
        (CalendarDate(year: minYear, month: 1, day: 1)?.ordinal ?? 0)...(CalendarDate(year: maxYear, month: 12, day: 31)?.ordinal ?? 0)

    /// Months since year 0, the index month arithmetic works in.
    public var monthIndex: Int { year * 12 + month - 1 }

    public static func fromMonthIndex(_ i: Int) -> CalendarDate? {
        guard i >= 0 else { return nil }
        return CalendarDate(year: i / 12, month: i % 12 + 1)
    }

    /// Calendar months later (or earlier); a day past the new month's end clamps to it.
    public func adding(months n: Int) -> CalendarDate? {
        guard abs(n) < 200_000 else { return nil }
        guard let m = Self.fromMonthIndex(monthIndex + n) else { return nil }
        if precision == .month { return m }
        return CalendarDate(year: m.year, month: m.month, day: min(day, m.daysInMonth))
    }

    /// Days later; a month-precision date counts from its first day.
    public func adding(days n: Int) -> CalendarDate? {
        guard abs(n) < 5_000_000 else { return nil }
        return Self.fromOrdinal(ordinal + n)
    }

    /// The month this date falls in, at month precision.
    public var monthOnly: CalendarDate { CalendarDate(year: year, month: month) ?? self }

    public var description: String {
        let y = String(year).leftPad(4)
        let m = String(month).leftPad(2)
        if precision == .month { return "\(y)-\(m)" }
        return "\(y)-\(m)-\(String(day).leftPad(2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.ordinal < b.ordinal }
    public static func == (a: CalendarDate, b: CalendarDate) -> Bool {
        a.year == b.year && a.month == b.month && a.day == b.day
    }
    public func hash(into h: inout Hasher) {
        h.combine(year)
        h.combine(month)
        h.combine(day)
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
