import Testing
@testable import Storage

/// Redaction of libpq connection strings: no server needed.
@Suite struct PGConnectionStringTests {
    @Test(arguments: [
        ("postgres://bot:secret@db.example:5432/baohao", "postgres://bot:***@db.example:5432/baohao"),
        ("postgresql://bot:p%40ss@h1:5432,h2:5433/db?sslmode=require", "postgresql://bot:***@h1:5432,h2:5433/db?sslmode=require"),
        ("postgres://bot@db/baohao?sslmode=require&password=secret&target_session_attrs=read-write",
         "postgres://bot@db/baohao?sslmode=require&password=***&target_session_attrs=read-write"),
        ("postgres://db.example/baohao", "postgres://db.example/baohao"),
        ("postgres://bot:@db/x", "postgres://bot:@db/x"),
        ("host=db user=bot password=secret dbname=baohao", "host=db user=bot password=*** dbname=baohao"),
        ("host=db password = 'se cr\\'et' user=bot", "host=db password = *** user=bot"),
        ("password=secret", "password=***"),
        ("host=db user=bot", "host=db user=bot"),
    ])
    func redactsEveryPassword(_ input: String, _ expected: String) {
        #expect(PGConnectionString.redacted(input) == expected)
        #expect("\(PGConnectionString(input))" == expected)
    }

    @Test func masksThePasswordWhereverAMessageEchoesIt() {
        let url = PGConnectionString("postgres://bot:p%40ss-word@db/x")
        #expect(url.redact("bad token \"p%40ss-word\" and p@ss-word") == "bad token \"***\" and ***")
        let keywords = PGConnectionString("host=db password='it\\'s secret'")
        #expect(keywords.redact("value it's secret here") == "value *** here")
    }
}
