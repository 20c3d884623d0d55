/// Shared test inputs.
enum Fixtures {
    /// The Colossus 1 declarations of LANGUAGE.md's opening example.
    static let colossus = """
        cluster colossus1 {
          owner: "xAI"
          site: "Memphis, TN"
          power: 300 MW
          gpus: 220_000 gpu
        }

        contract anthropic {
          lessor: "xAI"
          lessee: "Anthropic"
          cluster: colossus1
          start: 2026-05
          end: 2029-05
          rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]   # assumed: the size is not public
          notice: 90 days
        }
        """
}
