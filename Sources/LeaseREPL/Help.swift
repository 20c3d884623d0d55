/// The text of `:help` and `:help TOPIC`.
public enum Help {
    public static let topics = ["units", "money", "dates", "contracts", "clusters", "queries", "returns", "scenarios", "repl"]

    public static func text(topic: String?) -> String {
        guard let topic else { return general }
        switch topic {
        case "units": return units
        case "money": return money
        case "dates": return dates
        case "clusters": return clusters
        case "contracts": return contracts
        case "queries": return queries
        case "returns": return returns
        case "scenarios": return scenarios
        case "repl": return repl
        default: return "no help on `\(topic)`; topics: " + topics.joined(separator: ", ")
        }
    }

    static let general = """
        lease: model compute-capacity lease deals and ask what-if questions.

          let x = expr            bind a name (rebinding replaces it)
          fn f(a, b) = expr       define a function; call as f(1, b: 2)
          cluster k { … }         declare a cluster      (:help clusters)
          contract c { … }        declare a contract     (:help contracts)
          fx 1 USD = 1500 KRW     declare an exchange rate (:help money)
          scenario grid { … }     declare a what-if run  (:help scenarios)
          use "file.lease"        run another script
          expr                    evaluate and print
          solve x in a .. b: lhs == rhs   find an unknown (:help returns)
          :tutorial               lessons from the examples, one step at a time

        Topics: :help units | money | dates | clusters | contracts | queries | returns | scenarios | repl
        """

    static let units = """
        Units (a number followed by a unit multiplies: 300 MW, 90 days)
          time:   s min h hour day week month year   (month = 730.485 h)
          power:  W kW MW GW     energy: Wh kWh MWh GWh TWh
          gpu:    gpu gpus gpu_h
          money:  every ISO 4217 code (USD, EUR, KRW, …) and $ € £ ¥ ₩
          %:      8% is 0.08;  x -> % shows a number as a percentage
        + - < > == need equal dimensions; * / combine them; x -> unit converts.
          $1.25B/month * 36 months      # $45B
          anthropic.rate / anthropic.gpus -> $/gpu/h
        """

    static let money = """
        Money: $1.25B  €3M  £10  ¥500  ₩1.87T  or  1.87T KRW, 3 EUR
        Each currency is its own dimension; convert through a declared rate:
          fx 1 USD = 1500 KRW
          $45B -> KRW                   # ₩67.5T
        Display: compact from a million ($46.25B), else two decimals ($7.78).
        """

    static let dates = """
        Dates: 2026-05 (a month), 2026-05-20 (a day).
          d + 90 days    d + 3 months (calendar)    d2 - d1 (days)
          2026-05 .. 2026-08            four months
          2026-06-01 .. 2026-12-01 step 1 month
          year(d) month(d) day(d) days_in_month(d)
        """

    static let clusters = """
        cluster colossus1 {
          owner: "xAI"; site: "Memphis, TN"
          power: 300 MW; gpus: 220_000 gpu
          gpu_model: "GB200"            # optional
        }
        Required: power, gpus.  capacity(k, at: m)  contracts(k)
        """

    static let contracts = """
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1
          share: 25%                    # default 100%
          start: 2026-07; end: 2029-05  # first and last billed month
          rate: $500M / month
          discounts: [2026-07: 30%]     # optional
          escalation: 3%                # optional, on each anniversary (or an index map: cpi)
          notice: 90 days
          timing: "advance"             # optional: or "arrears" (paid at the month's end)
          termination_fee: 3 months     # optional: an amount ($500M) or months of rent
          minimum: $10B                 # optional take-or-pay: termination bills the shortfall
          usage: $0.40 / gpu / h        # optional metered part, with
          utilization: [2026-07: 40%, 2026-09: 70%]   # one % or a month map (default 100%)
          renewal: {months: 12, rate: $550M / month}  # optional; rate optional
        }
        let cpi = [2026-07: 321.4, 2027-07: 330.9]     # escalation: cpi
        Fields read as c.rate, c.cluster.site; derived: c.gpus c.power c.months.
        c with {rate: $1B/month} is a re-checked copy; renew(c), renew(c, times: 2).
        """

    static let queries = """
        payment(c, m)  months(c)  schedule(c)  total(c)
        paid(c, from, to)  paid(c, 2027)  npv(c, 8%)
        terminate(c, notice_on: d)  exposure(c, at: d)  remaining(c, at: m)
        capacity(k, at: m)  contracts(k)  revenue("xAI", 2027)  spend("Anthropic", 2027)
        cashflows(c)  renew(c)  renew(c, times: 2)          (returns: :help returns)
        Every argument takes a list, one answer per element:
          exposure(c, at: 2026-06-01 .. 2026-12-01 step 1 month)
          paid(c, [2026-05, 2026-06]) two payments; paid(c, 2026-05, 2026-06) their sum
          schedule([c1, c2]) one table with a contract column
          capacity(k, at: [m1, m2]) one table with a month column
        Aggregates: sum mean min max count sd percentile(xs, p)
        Math: abs round(x, digits) floor ceil sqrt exp ln
        """

    static let returns = """
        npv(c, 8%)  npv(c, 8%, at: 2027-05)   value on the 1st of that month of the payments from it on
        irr(c, price: $30B)                 annual rate at which the price buys the payments
        npv([-$100, $39, $59], 8%)  irr([-$100, $39, $59, $55, $20])   numpy-financial (first undiscounted)
        xnpv(9%, amounts, dates)  xirr(amounts, dates)                 Excel's XNPV and XIRR (actual/365)
        solve d in 0% .. 100%: npv(c with {discounts: [2026-07: d]}, 8%) == $15.8B
        asc842(c, 5%)  ifrs16(c, 5%)        the lessee's lease tables (liability, interest, expense…)
        A run with a record body answers each output: r.owed.p95, percentile(r.owed, 99%).
        """

    static let scenarios = """
        scenario grid { discount: 0% .. 60% step 10%; notice_on: 2026-06-01 .. 2027-06-01 step 1 month }
        scenario sweep { rate: $1B/month .. $1.5B/month step $100M/month }
        scenario mc { rate: uniform($1.0B, $1.5B) / month; samples: 100_000; seed: 42 }
        run mc: npv(anthropic with {rate: rate}, 8%)
        Distributions: uniform normal lognormal triangular pert choice
        A result answers .n .mean .sd .min .max .p5 .p50 .p95, percentile(r, p), export(r, path);
        with a record body, each output by name: r.owed.p95, percentile(r.owed, 99%).
        """

    static let repl = """
        :help [topic]   this help            :load FILE   run a script here
        :save FILE      write the session as a script
        :ls             bindings and model objects
        :type EXPR      type and dimension   :time EXPR   evaluate and time
        :reset          forget everything    :quit        leave (also Ctrl-D)
        :tutorial       lessons, step by step (:tutorial N | reset | skip | list | quit)
        _ is the last value. Ctrl-C cancels the line or a running evaluation.
        """
}
