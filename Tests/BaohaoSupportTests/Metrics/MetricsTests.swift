import Testing
@testable import BaohaoSupport

@Suite struct MetricsTests {
    /// Every kind of family in the text format 0.0.4, in registration order: help escaped,
    /// label values escaped, a family's series together, a histogram's buckets cumulative
    /// with `le` inclusive, its sum in seconds.
    @Test func theExpositionIsPrometheusText004() {
        let m = Metrics()
        let things = m.counter("x_total", help: "Things.\nMore \\ text")
        let a = m.counter("y_total", help: "By kind.", labels: ["kind": "a\"b\\c\nd"])
        m.counter("y_total", help: "By kind.", labels: ["kind": "c"]).increment(by: 2)
        let gauge = m.gauge("z", help: "A gauge.")
        m.gauge("w", help: "Read at rendering.") { 0.25 }
        let durations = m.histogram("d_seconds", help: "Durations.", bounds: [1e-5, 1e-3])
        things.increment()
        things.increment(by: 2)
        a.increment()
        gauge.set(-1.5)
        durations.observe(nanoseconds: 10_000)  // exactly the first bound: in it
        durations.observe(nanoseconds: 10_001)
        durations.observe(.seconds(2))
        #expect(m.exposition() == """
            # HELP x_total Things.\\nMore \\\\ text
            # TYPE x_total counter
            x_total 3
            # HELP y_total By kind.
            # TYPE y_total counter
            y_total{kind="a\\"b\\\\c\\nd"} 1
            y_total{kind="c"} 2
            # HELP z A gauge.
            # TYPE z gauge
            z -1.5
            # HELP w Read at rendering.
            # TYPE w gauge
            w 0.25
            # HELP d_seconds Durations.
            # TYPE d_seconds histogram
            d_seconds_bucket{le="1e-05"} 1
            d_seconds_bucket{le="0.001"} 2
            d_seconds_bucket{le="+Inf"} 3
            d_seconds_sum 2.000020001
            d_seconds_count 3

            """)
    }

    @Test(arguments: [(3.0, "3"), (0, "0"), (-2, "-2"), (0.25, "0.25"), (5e-6, "5e-06"), (1e20, "1e+20"), (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf")])
    func numbersAreWrittenAsPrometheusReadsThem(value: Double, text: String) {
        #expect(Metrics.number(value) == text)
    }

    @Test func namesAreChecked() {
        #expect(Metrics.isValidName("baohao_updates_handled_total"))
        #expect(Metrics.isValidName("a:b_c"))
        #expect(!Metrics.isValidName("9lives"))
        #expect(!Metrics.isValidName("has-dash"))
        #expect(!Metrics.isValidName(""))
    }

    /// Bumped from many threads at once, nothing is lost. (Tasks, not
    /// `DispatchQueue.concurrentPerform`: that blocks a thread of the cooperative pool until
    /// Dispatch's workers, which other tests keep busy, come round, and the suite stalls.)
    @Test func countersAndHistogramsLoseNothingUnderConcurrency() async {
        let m = Metrics()
        let counter = m.counter("n_total", help: "n")
        let histogram = m.histogram("t_seconds", help: "t", bounds: [1e-6, 1e-3])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<10_000 {
                        counter.increment()
                        histogram.observe(nanoseconds: Int64(worker * 10_000 + i % 3))
                    }
                }
            }
        }
        #expect(counter.value == 80_000)
        let snapshot = histogram.snapshot()
        #expect(snapshot.count == 80_000)
        #expect(snapshot.cumulative == [10_000, 80_000], "worker 0 stays under 1 µs, the rest under 1 ms")
    }

    @Test func aGaugeKeepsItsLastValue() {
        let gauge = MetricGauge()
        #expect(gauge.value == 0)
        gauge.set(42.5)
        gauge.set(7)
        #expect(gauge.value == 7)
    }
}
