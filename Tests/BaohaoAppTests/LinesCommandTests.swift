import Testing
import TestSupport
@testable import BaohaoApp
@testable import BaohaoCore

/// The operators' `lines` commands end to end on a fresh database, on 2026-11-22.
@Suite struct LinesCommandTests {
    let database = temporaryDatabase("lines-cli")

    private func run(_ args: [String], now: String = "2026-11-22") async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_NOW": now, "USER": "alice"]
        let code = await BaohaoCLI.main(arguments: args + ["--db", database], environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    @Test func theDemoFileImportsAndTheOperatorsToolsWorkEndToEnd() async throws {
        let (importCode, imported) = await run(["lines", "import", repositoryRoot + "/Config/demo-lines.csv"])
        #expect(importCode == 0, "\(imported.err)")
        #expect(imported.out.contains("21 created, 0 updated, 0 unchanged"))

        // Every status the demo is meant to show is there.
        let (_, all) = await run(["lines", "list"])
        for status in ["active", "expiring_soon", "grace", "suspended", "recycled"] {
            #expect(all.out.contains("  \(status)"), "no \(status) line in the demo")
        }
        #expect(all.out.hasSuffix("21 lines"))

        // A binding code, printed with the /bind and deep-link forms.
        let (codeExit, issued) = await run(["lines", "issue-code", "+13105550117"])
        #expect(codeExit == 0)
        let code = try #require(issued.out.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(BindingCode.canonical(code) == code)
        #expect(issued.out.contains("/bind \(code)"))
        #expect(issued.out.contains("https://t.me/BaohaoBot?start=\(code)"))

        // A top-up, retried with the same reference, applies once.
        let (topExit, topped) = await run(["lines", "topup", "+13105550117", "--cycle", "3m", "--ref", "order-7"])
        #expect(topExit == 0, "\(topped.err)")
        #expect(topped.out.contains("expiry 2026-11-25 → 2027-02-23"))
        let (retryExit, retried) = await run(["lines", "topup", "+13105550117", "--cycle", "3m", "--ref", "order-7"])
        #expect(retryExit == 0)
        #expect(retried.out.contains("expiry 2026-11-25 → 2027-02-23"))
        let (reuseExit, reused) = await run(["lines", "topup", "+13105550117", "--cycle", "1m", "--ref", "order-7"])
        #expect(reuseExit == 65)
        #expect(reused.err.contains("reference 'order-7' was already used for a different request"))

        // A stored-value top-up from a national number.
        let (hkExit, hk) = await run(["lines", "topup", "66600118", "--amount", "50", "--ref", "hk-1"])
        #expect(hkExit == 0, "\(hk.err)")
        #expect(hk.out.contains("expiry 2026-12-10 → 2027-05-21"))
        #expect(hk.out.contains("balance now HK$73.50"))

        // The renewed line no longer expires within a week.
        let (_, soon) = await run(["lines", "list", "--expiring-within", "7"])
        #expect(!soon.out.contains("+13105550117"))
        #expect(soon.out.contains("+12065550178"))
        let (_, grace) = await run(["lines", "list", "--status", "grace"])
        #expect(grace.out.contains("+16465550188"))
        #expect(!grace.out.contains("+12065550178"))

        // Cancel: requested, then confirmed; the refund rule is stated.
        let (cancelExit, requested) = await run(["lines", "cancel", "+13105550117"])
        #expect(cancelExit == 0)
        #expect(requested.out.contains("pending"))
        #expect(requested.out.contains("refund rule"))
        let (confirmExit, confirmed) = await run(["lines", "cancel", "+13105550117", "--confirm"])
        #expect(confirmExit == 0)
        #expect(confirmed.out.contains("cancelled"))

        let (_, shown) = await run(["lines", "show", "+13105550117"])
        #expect(shown.out.contains("status      cancelled"))
        #expect(shown.out.contains("ledger (4 entries)"))
        #expect(shown.out.contains("by operator:cli:alice ref order-7"))
        for reason in ["imported", "renewal", "cancel_requested", "cancelled"] { #expect(shown.out.contains("  \(reason)  ")) }

        // Export, then import the export: nothing changes.
        let exported = makeTemporaryDirectory() + "/lines.csv"
        let (exportExit, _) = await run(["lines", "export", exported])
        #expect(exportExit == 0)
        let (_, again) = await run(["lines", "import", exported])
        #expect(again.out.contains("0 created, 0 updated, 21 unchanged"))
    }

    @Test func aBadFileImportsNothingAndNamesEveryBadRow() async {
        let file = writeTemporaryFile(
            """
            number,carrier,plan,balance,currency,expires_on,auto_renew,note
            +12125550142,ultra,paygo,3.00,USD,2027-01-01,true,fine
            +1212555014,ultra,paygo,3.00,USD,2027-01-01,true,short number
            +12125550143,verizon,paygo,3.00,USD,2027-01-01,true,unknown carrier
            +12125550144,ultra,paygo,3.00,USD,2027-02-30,true,no such day
            +12125550145,ultra,paygo,3.005,USD,2027-01-01,true,three decimals
            +12125550142,ultra,paygo,3.00,USD,2027-01-01,true,duplicate

            """, name: "bad.csv")
        let (code, io) = await run(["lines", "import", file])
        #expect(code == 65)
        for expected in ["line 3, number:", "line 4, carrier: unknown carrier 'verizon'", "line 5, expires_on:", "line 6, balance:", "line 7, number: +12125550142 is already on line 2"] {
            #expect(io.err.contains(expected), "missing: \(expected)")
        }
        #expect(!io.err.contains(": line 2,"))
        #expect(io.err.contains("nothing imported: 5 rows have problems"))
        let (_, listed) = await run(["lines", "list"])
        #expect(listed.out.hasSuffix("0 lines"))

        let (skipCode, skipped) = await run(["lines", "import", file, "--skip-invalid"])
        #expect(skipCode == 0)
        #expect(skipped.out.contains("1 created"))
    }

    @Test func wrongOptionsAreUsageErrors() async {
        let (missingRef, io1) = await run(["lines", "topup", "+12125550142", "--cycle", "1m"])
        #expect(missingRef == 64)
        #expect(io1.err.contains("--ref REF is required"))
        let (badStatus, io2) = await run(["lines", "list", "--status", "sleeping"])
        #expect(badStatus == 64)
        #expect(io2.err.contains("'sleeping' is not one of active"))
        let (badNumber, io3) = await run(["lines", "show", "12345"])
        #expect(badNumber == 64 || badNumber == 65)
        #expect(io3.err.contains("12345"))
        let (missingFile, io4) = await run(["lines", "import", "/nonexistent/lines.csv"])
        #expect(missingFile == 66)
        #expect(io4.err.contains("cannot read /nonexistent/lines.csv"))
    }
}
