public import Storage

/// The bot's database schema, as numbered migrations. Append; never edit a shipped one.
public enum BaohaoSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "bot state", sqlite: """
            CREATE TABLE bot_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) STRICT;
            """, postgres: postgresScripts[1]!),
        Migration(version: 2, name: "lines, ledger, operations, binding", sqlite: """
            CREATE TABLE lines (
                id INTEGER PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                carrier TEXT NOT NULL,
                plan TEXT NOT NULL,
                balance_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                expires_on TEXT NOT NULL,
                auto_renew INTEGER NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                request TEXT CHECK (request IN ('cancel_pending', 'cancelled', 'porting_out')),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX lines_by_expiry ON lines(expires_on);
            CREATE TABLE ledger (
                id INTEGER PRIMARY KEY,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                reference TEXT,
                balance_delta_minor INTEGER NOT NULL,
                balance_after_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                expires_before TEXT,
                expires_after TEXT NOT NULL,
                request_before TEXT,
                request_after TEXT,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT;
            CREATE INDEX ledger_by_line ON ledger(line_id, id);
            CREATE TABLE operations (
                reference TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                result TEXT NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE binding_codes (
                id INTEGER PRIMARY KEY,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                salt BLOB NOT NULL,
                hash BLOB NOT NULL,
                issued_by TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT,
                used_by_chat INTEGER
            ) STRICT;
            CREATE INDEX binding_codes_open ON binding_codes(expires_at) WHERE used_at IS NULL;
            CREATE TABLE bindings (
                chat_id INTEGER NOT NULL,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                bound_at TEXT NOT NULL,
                PRIMARY KEY (chat_id, line_id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX bindings_by_line ON bindings(line_id);
            CREATE TABLE binding_failures (
                chat_id INTEGER NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX binding_failures_by_chat ON binding_failures(chat_id, at);
            CREATE TABLE binding_lockouts (
                chat_id INTEGER PRIMARY KEY,
                until TEXT NOT NULL
            ) STRICT;
            """, postgres: postgresScripts[2]!),
        Migration(version: 3, name: "conversations, tickets, orders, outbox, alert settings", sqlite: """
            CREATE TABLE conversations (
                chat_id INTEGER PRIMARY KEY,
                language TEXT,
                language_fixed INTEGER NOT NULL DEFAULT 0,
                flow TEXT,
                flow_id TEXT,
                flow_expires_at TEXT,
                last_label TEXT,
                last_entry TEXT,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE recent_messages (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                message_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                text TEXT NOT NULL
            ) STRICT;
            CREATE INDEX recent_messages_by_chat ON recent_messages(chat_id, id);
            CREATE TABLE unanswered (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                text TEXT NOT NULL,
                language TEXT NOT NULL
            ) STRICT;
            CREATE TABLE clarifications (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                text TEXT NOT NULL,
                options TEXT NOT NULL
            ) STRICT;
            CREATE TABLE labelled_examples (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                text TEXT NOT NULL,
                label TEXT NOT NULL,
                target TEXT,
                source TEXT NOT NULL
            ) STRICT;
            CREATE TABLE tickets (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                user_id INTEGER NOT NULL,
                opened_at TEXT NOT NULL,
                closed_at TEXT
            ) STRICT;
            CREATE INDEX tickets_open_by_chat ON tickets(chat_id) WHERE closed_at IS NULL;
            CREATE TABLE renewal_orders (
                reference TEXT PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                number TEXT NOT NULL,
                choice TEXT NOT NULL,
                amount_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                language TEXT NOT NULL,
                created_at TEXT NOT NULL,
                paid_at TEXT
            ) STRICT;
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                priority INTEGER NOT NULL,
                message TEXT NOT NULL,
                created_at TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                sent_at TEXT,
                error TEXT
            ) STRICT;
            CREATE INDEX outbox_pending ON outbox(priority, id) WHERE state = 'pending';
            CREATE TABLE alert_settings (
                chat_id INTEGER PRIMARY KEY,
                enabled INTEGER NOT NULL DEFAULT 1,
                lead_days TEXT,
                quiet_start INTEGER,
                quiet_end INTEGER,
                time_zone TEXT,
                updated_at TEXT NOT NULL
            ) STRICT;
            """, postgres: postgresScripts[3]!),
        Migration(version: 4, name: "chat delivery state", sqlite: """
            CREATE TABLE chat_state (
                chat_id INTEGER PRIMARY KEY,
                last_inbound_message_id INTEGER NOT NULL DEFAULT 0,
                inactive_since TEXT,
                inactive_reason TEXT
            ) STRICT;
            CREATE INDEX outbox_pending_by_chat ON outbox(chat_id, id) WHERE state = 'pending';
            """, postgres: postgresScripts[4]!),
        Migration(version: 5, name: "alerts", sqlite: """
            CREATE TABLE alerts (
                id INTEGER PRIMARY KEY,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                chat_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                lead_days INTEGER NOT NULL,
                expires_on TEXT NOT NULL,
                due_at TEXT NOT NULL,
                outbox_id INTEGER,
                state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'cancelled')),
                created_at TEXT NOT NULL,
                UNIQUE (line_id, chat_id, kind, lead_days, expires_on)
            ) STRICT;
            CREATE INDEX alerts_by_line ON alerts(line_id, state);
            CREATE TABLE alert_optouts (
                chat_id INTEGER NOT NULL,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                snoozed_until TEXT,
                PRIMARY KEY (chat_id, line_id)
            ) STRICT, WITHOUT ROWID;
            """, postgres: postgresScripts[5]!),
        Migration(version: 6, name: "FAQ versions, operators, audit, daily counts", sqlite: """
            CREATE TABLE faq_entries (
                entry_id TEXT PRIMARY KEY,
                position INTEGER NOT NULL,
                version INTEGER NOT NULL,
                deleted INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE TABLE faq_versions (
                entry_id TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                body TEXT,
                author TEXT NOT NULL,
                at TEXT NOT NULL,
                note TEXT NOT NULL,
                PRIMARY KEY (entry_id, version)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE operators (
                user_id INTEGER PRIMARY KEY,
                added_by TEXT NOT NULL,
                added_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE operator_audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT NOT NULL
            ) STRICT;
            CREATE TABLE daily_counts (
                day TEXT NOT NULL,
                metric TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (day, metric)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE faq_drafts (
                chat_id INTEGER PRIMARY KEY,
                draft TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            ALTER TABLE unanswered ADD COLUMN resolution TEXT;
            CREATE INDEX unanswered_open ON unanswered(id) WHERE resolution IS NULL;
            """, postgres: postgresScripts[6]!),
        Migration(version: 7, name: "the carrier a conversation is about", sqlite: """
            ALTER TABLE conversations ADD COLUMN carrier TEXT;
            ALTER TABLE conversations ADD COLUMN carrier_at TEXT;
            """, postgres: postgresScripts[7]!),
        Migration(version: 8, name: "outbox delivery progress and deadlines", sqlite: """
            ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbox ADD COLUMN late_notice INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE outbox ADD COLUMN expires_at TEXT;
            """, postgres: postgresScripts[8]!),
        Migration(version: 9, name: "the album and the question a conversation last answered", sqlite: """
            ALTER TABLE conversations ADD COLUMN media_group TEXT;
            ALTER TABLE conversations ADD COLUMN last_question_id INTEGER;
            ALTER TABLE conversations ADD COLUMN last_question_open INTEGER NOT NULL DEFAULT 0;
            """, postgres: postgresScripts[9]!),
        Migration(version: 10, name: "tickets in forum topics: states, owners, timers, the message map, canned replies, bans", sqlite: """
            ALTER TABLE tickets ADD COLUMN state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'waiting', 'closed'));
            UPDATE tickets SET state = 'closed' WHERE closed_at IS NOT NULL;
            ALTER TABLE tickets ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
            ALTER TABLE tickets ADD COLUMN customer_username TEXT;
            ALTER TABLE tickets ADD COLUMN owner_id INTEGER;
            ALTER TABLE tickets ADD COLUMN owner_name TEXT;
            ALTER TABLE tickets ADD COLUMN awaiting_since TEXT;
            ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
            ALTER TABLE tickets ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE tickets ADD COLUMN topic_name TEXT NOT NULL DEFAULT '';
            ALTER TABLE tickets ADD COLUMN thread_id INTEGER;
            ALTER TABLE tickets ADD COLUMN card_html TEXT NOT NULL DEFAULT '';
            ALTER TABLE tickets ADD COLUMN card_message_id INTEGER;
            CREATE INDEX tickets_by_thread ON tickets(thread_id) WHERE thread_id IS NOT NULL;
            CREATE INDEX tickets_awaiting ON tickets(awaiting_since) WHERE state = 'open';
            CREATE TABLE ticket_messages (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                customer_message_id INTEGER,
                operator_message_id INTEGER,
                at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX ticket_messages_by_operator ON ticket_messages(operator_message_id);
            CREATE INDEX ticket_messages_by_customer ON ticket_messages(ticket_id, customer_message_id);
            CREATE TABLE canned_replies (
                name TEXT PRIMARY KEY,
                text TEXT NOT NULL,
                author TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE chat_bans (
                chat_id INTEGER PRIMARY KEY,
                author TEXT NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            ALTER TABLE recent_messages ADD COLUMN answer TEXT;
            ALTER TABLE recent_messages ADD COLUMN media INTEGER NOT NULL DEFAULT 0;
            """, postgres: postgresScripts[10]!),
        Migration(version: 11, name: "renewal orders paid in the chat: states, invoices, charges, refunds", sqlite: """
            ALTER TABLE renewal_orders ADD COLUMN state TEXT NOT NULL DEFAULT 'created'
                CHECK (state IN ('created', 'invoiced', 'prechecked', 'paid', 'applied', 'expired', 'refused', 'refunded'));
            UPDATE renewal_orders SET state = 'applied' WHERE paid_at IS NOT NULL;
            ALTER TABLE renewal_orders ADD COLUMN mode TEXT NOT NULL DEFAULT 'link' CHECK (mode IN ('link', 'provider', 'stars'));
            ALTER TABLE renewal_orders ADD COLUMN invoice_amount INTEGER;
            ALTER TABLE renewal_orders ADD COLUMN invoice_currency TEXT;
            ALTER TABLE renewal_orders ADD COLUMN user_id INTEGER;
            ALTER TABLE renewal_orders ADD COLUMN expires_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN updated_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN invoiced_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN invoice_message_id INTEGER;
            ALTER TABLE renewal_orders ADD COLUMN prechecked_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN applied_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN refunded_at TEXT;
            ALTER TABLE renewal_orders ADD COLUMN telegram_charge_id TEXT;
            ALTER TABLE renewal_orders ADD COLUMN provider_charge_id TEXT;
            ALTER TABLE renewal_orders ADD COLUMN reason TEXT;
            CREATE UNIQUE INDEX renewal_orders_by_charge ON renewal_orders(telegram_charge_id) WHERE telegram_charge_id IS NOT NULL;
            """, postgres: postgresScripts[11]!),
        Migration(version: 12, name: "the leader lease: one row per bot, its holder, epoch, expiry and update offset", sqlite: """
            CREATE TABLE leader_lease (
                bot_id INTEGER PRIMARY KEY,
                holder TEXT,
                epoch INTEGER NOT NULL DEFAULT 0,
                expires_ms INTEGER NOT NULL DEFAULT 0,
                update_offset INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            """, postgres: postgresScripts[12]!),
        Migration(version: 13, name: "sends Telegram accepted before the outbox records them (on PostgreSQL, shared by every instance)", sqlite: """
            CREATE TABLE delivery_journal (
                id INTEGER PRIMARY KEY,
                epoch INTEGER NOT NULL,
                outbox_id INTEGER NOT NULL,
                parts_sent INTEGER,
                late_notice INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            """, postgres: postgresScripts[13]!),
        Migration(version: 14, name: "each outbox row carries the epoch of the leader that claimed it; on PostgreSQL, new outbox rows and FAQ changes notify the leader", sqlite: """
            ALTER TABLE outbox ADD COLUMN claimed_epoch INTEGER;
            """, postgres: postgresScripts[14]!),
    ]
}
