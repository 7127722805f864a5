using JasperFx.Events.Projections;
using Ledger.Audit;
using Ledger.LocalPostgres;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Bench;

/// <summary>What a Marten database of the marten-appends benchmark holds besides Marten's own schema.</summary>
internal enum MartenSetup
{
    /// <summary>Marten's schema as Ledger configures it, nothing else.</summary>
    Plain,

    /// <summary><see cref="LedgerSchema.MigrateAsync"/>: Marten's schema and the audit layer; the role has the service's grants.</summary>
    LedgerPath,

    /// <summary>Diagnostic: as <see cref="Plain"/> without <c>UseExclusiveLockOnConcurrentAppends</c> and <c>EnableUniqueIndexOnEventId</c>.</summary>
    MartenDefaults,

    /// <summary>Diagnostic: as <see cref="Plain"/> plus the rejected per-row trigger design (<see cref="MartenDatabase.RejectedRowTriggersSql"/>).</summary>
    RowTriggers,

    /// <summary>
    /// Diagnostic: as <see cref="LedgerPath"/> with the seal function of audit/0001 (no one-statement path for single
    /// events, audit/0004): what that path saves, in the same run.
    /// </summary>
    LedgerPathFirstSeal,

    /// <summary>
    /// Diagnostic: as <see cref="LedgerPath"/>, but the seal stores one row per append holding each of its events' chain
    /// hashes (<see cref="MartenDatabase.AppendRowsSealSql"/>) instead of one row per event: what the hash rows cost.
    /// The chain itself (what is hashed, in which order, every check) is the same.
    /// </summary>
    LedgerPathAppendRows,
}

/// <summary>A count that must match at the end of the run: what the writers say they wrote, and what the table holds.</summary>
internal sealed record CountCheck(string What, long Expected, long Found)
{
    public bool Ok => Expected == Found;
}

/// <summary>
/// One database of the marten-appends benchmark on the private cluster: its schema applied as the owner (the
/// superuser), a login role (<see cref="Role"/>, shared by these databases; rights are per database) and a Marten store
/// that runs as that role with <c>applySchema: false</c>, as the service does, on a pool this benchmark can drain.
/// </summary>
internal sealed class MartenDatabase : IAsyncDisposable
{
    public const string Role = "ledger_bench_marten_svc";

    /// <summary>
    /// THE REJECTED ALTERNATIVE to the audit layer (bench only, never shipped; docs/architecture.md "The audit layer"):
    /// per-row triggers on <c>ledger.mt_events</c>. A BEFORE INSERT row trigger stamps each event with
    /// <c>clock_timestamp()</c>, and an AFTER INSERT row trigger chains each event into a side table, one hash per row
    /// (hash(v) = sha256(hash(v-1) || sha256(canonical(v))), the same canonical form as the audit layer, copied from its
    /// migration below). Both functions are SECURITY DEFINER with search_path pinned. Measured only to show what this
    /// design costs against the deferred once-per-append seal.
    /// </summary>
    public const string RejectedRowTriggersSql = """
        CREATE SCHEMA bench_rowchain;
        CREATE TABLE bench_rowchain.event_hashes (
            seq_id    bigint  PRIMARY KEY,
            stream_id varchar NOT NULL,
            version   bigint  NOT NULL,
            hash      bytea   NOT NULL,
            UNIQUE (stream_id, version)
        );
        {canonical}

        CREATE FUNCTION bench_rowchain.stamp_event() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            NEW.timestamp := clock_timestamp();
            RETURN NEW;
        END
        $$;

        CREATE FUNCTION bench_rowchain.chain_event() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            prev bytea;
        BEGIN
            IF NEW.version = 1 THEN
                prev := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            ELSE
                SELECT h.hash INTO prev FROM bench_rowchain.event_hashes h WHERE h.stream_id = NEW.stream_id AND h.version = NEW.version - 1;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'stream % version %: the previous event is not chained', NEW.stream_id, NEW.version USING ERRCODE = '23514';
                END IF;
            END IF;
            INSERT INTO bench_rowchain.event_hashes (seq_id, stream_id, version, hash)
            VALUES (NEW.seq_id, NEW.stream_id, NEW.version, sha256(prev || sha256(bench_rowchain.canonical(NEW))));
            RETURN NULL;
        END
        $$;

        CREATE TRIGGER rowchain_stamp BEFORE INSERT ON ledger.mt_events
            FOR EACH ROW EXECUTE FUNCTION bench_rowchain.stamp_event();
        CREATE TRIGGER rowchain_chain AFTER INSERT ON ledger.mt_events
            FOR EACH ROW EXECUTE FUNCTION bench_rowchain.chain_event();
        REVOKE ALL ON FUNCTION bench_rowchain.stamp_event() FROM PUBLIC;
        REVOKE ALL ON FUNCTION bench_rowchain.chain_event() FROM PUBLIC;
        """;

    /// <summary>
    /// A DIAGNOSTIC variant of the seal (bench only, not shipped): the deployed seal function (audit/0004, taken from the
    /// migration so its checks and its chain cannot drift), with its hash rows stored as one row per append in a table of
    /// its own: the append's last and first version, its events' seq ids and their hashes concatenated (32 bytes each, in
    /// version order). It replaces the deployed seal function in its database, so the deferred trigger, the checks, the
    /// one-statement path for single events and the chain (hash(v) = sha256(hash(v-1) || sha256(canonical(v)))) are
    /// exactly the Ledger path's; only the storage of the hashes differs. Each replacement must match exactly once, so a
    /// change to the migration fails the benchmark instead of measuring something else.
    /// </summary>
    private static string AppendRowsSealSql()
    {
        const string table = """
            CREATE TABLE ledger_audit.append_hashes (
                stream_id     varchar  NOT NULL,
                last_version  bigint   NOT NULL,
                first_version bigint   NOT NULL CHECK (first_version >= 1 AND first_version <= last_version),
                seq_ids       bigint[] NOT NULL,
                hashes        bytea    NOT NULL CHECK (octet_length(hashes) = 32 * (last_version - first_version + 1)),
                PRIMARY KEY (stream_id, last_version)
            ) WITH (toast_tuple_target = 8160);

            """;
        var seal = AuditSchema.Migrations.Single(m => m.Version == 4).Sql;
        seal = seal[seal.IndexOf("CREATE OR REPLACE FUNCTION ledger_audit.seal_stream(", StringComparison.Ordinal)..];
        (string Old, string New)[] edits =
        [
            // the one-statement path: one row for the one event, the sealed head read from the last append's row
            ("INSERT INTO ledger_audit.event_hashes (seq_id, stream_id, version, hash)\n        SELECT m.seq_id, NEW.id, m.version, sha256(",
             "INSERT INTO ledger_audit.append_hashes (stream_id, last_version, first_version, seq_ids, hashes)\n        SELECT NEW.id, m.version, m.version, ARRAY[m.seq_id], sha256("),
            ("(SELECT hh.version, hh.hash FROM ledger_audit.event_hashes hh",
             "(SELECT hh.last_version AS version, substring(hh.hashes FROM octet_length(hh.hashes) - 31) AS hash FROM ledger_audit.append_hashes hh"),
            ("ORDER BY hh.version DESC LIMIT 1", "ORDER BY hh.last_version DESC LIMIT 1"),
            // the general path: the sealed head, and one row for the append's events
            ("SELECT h.version, h.hash INTO head_version, prev\n      FROM ledger_audit.event_hashes h WHERE h.stream_id = NEW.id ORDER BY h.version DESC LIMIT 1;",
             "SELECT h.last_version, substring(h.hashes FROM octet_length(h.hashes) - 31) INTO head_version, prev\n      FROM ledger_audit.append_hashes h WHERE h.stream_id = NEW.id ORDER BY h.last_version DESC LIMIT 1;"),
            ("INSERT INTO ledger_audit.event_hashes (seq_id, stream_id, version, hash)\n    SELECT s, NEW.id, v, h FROM unnest(seqs, versions, hashes) AS u(s, v, h);",
             "INSERT INTO ledger_audit.append_hashes (stream_id, last_version, first_version, seq_ids, hashes)\n    SELECT NEW.id, NEW.version, versions[1], seqs, string_agg(h, ''::bytea ORDER BY o) FROM unnest(hashes) WITH ORDINALITY AS u(h, o);"),
        ];
        foreach (var (old, replacement) in edits)
        {
            var at = seal.IndexOf(old, StringComparison.Ordinal);
            if (at < 0 || seal.IndexOf(old, at + 1, StringComparison.Ordinal) >= 0)
                throw new InvalidOperationException($"diag: hashes per append: audit/0004's seal no longer has exactly one '{old}'.");
            seal = seal[..at] + replacement + seal[(at + old.Length)..];
        }
        if (seal.Contains("event_hashes", StringComparison.Ordinal))
            throw new InvalidOperationException("diag: hashes per append: audit/0004's seal still names event_hashes after the edits.");
        return table + seal;
    }

    /// <summary>
    /// The diagnostic's hashes per append written out as one row per event into <c>ledger_audit.event_hashes</c> (empty in
    /// that database), as the owner, after the run: where the project's verifier (<see cref="ChainVerifier"/>) reads them,
    /// so the same verifier checks both designs (each hash recomputed from content, its sequence number, no holes).
    /// </summary>
    private const string AppendRowsAsEventHashes = """
        INSERT INTO ledger_audit.event_hashes (seq_id, stream_id, version, hash)
        SELECT a.seq_ids[o], a.stream_id, a.first_version + o - 1, substring(a.hashes FROM (32 * (o - 1) + 1)::int FOR 32)
          FROM ledger_audit.append_hashes a, generate_series(1, a.last_version - a.first_version + 1) AS o
        """;

    /// <summary>The plain databases' grants: read and write Marten's tables (no audit layer to protect).</summary>
    private const string PlainGrant = """
        GRANT USAGE ON SCHEMA ledger TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ledger TO {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ledger TO {role};
        """;

    private MartenDatabase(string name, MartenSetup setup, NpgsqlDataSource owner, NpgsqlDataSource service, DocumentStore store)
    {
        Name = name;
        Setup = setup;
        Owner = owner;
        Service = service;
        Store = store;
        Events = new Tally($"{name}: ledger.mt_events");
    }

    public string Name { get; }
    public MartenSetup Setup { get; }

    /// <summary>Whether the database has the audit layer (migrated with <see cref="LedgerSchema.MigrateAsync"/>, the service's grants).</summary>
    private static bool Audited(MartenSetup setup) => setup is MartenSetup.LedgerPath or MartenSetup.LedgerPathFirstSeal or MartenSetup.LedgerPathAppendRows;

    /// <summary>Superuser (schema owner) connections, UTC: setup and the final counts.</summary>
    public NpgsqlDataSource Owner { get; }

    /// <summary>The pool Marten's service store uses (warmed before and drained after each run).</summary>
    public NpgsqlDataSource Service { get; }

    /// <summary>Marten as the service runs it: the service role, no schema changes.</summary>
    public DocumentStore Store { get; }

    /// <summary>Events the writers of this database report.</summary>
    public Tally Events { get; }

    /// <summary>Creates the login role the Marten stores use; returns its password.</summary>
    public static async Task<string> CreateRoleAsync(LocalPostgresCluster cluster, CancellationToken ct)
    {
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString());
        await using var cmd = root.CreateCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{password}'");
        await cmd.ExecuteNonQueryAsync(ct);
        return password;
    }

    public static async Task<MartenDatabase> CreateAsync(LocalPostgresCluster cluster, string name, MartenSetup setup, string password, CancellationToken ct)
    {
        await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
        await using (var cmd = root.CreateCommand($"CREATE DATABASE {name}"))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var ownerConnectionString = cluster.SuperUserConnectionString(name);
        var owner = NpgsqlDataSource.Create(LedgerMarten.ForLedger(ownerConnectionString));

        if (Audited(setup))
        {
            await LedgerSchema.MigrateAsync(ownerConnectionString, o => Configure(o, setup), ct);
            if (setup == MartenSetup.LedgerPathFirstSeal) await ExecAsync(owner, FirstSealFunction(), ct);
            if (setup == MartenSetup.LedgerPathAppendRows) await ExecAsync(owner, AppendRowsSealSql(), ct);
            await LedgerSchema.GrantServiceRoleAsync(owner, Role, ct);
        }
        else
        {
            using (var schemaStore = DocumentStore.For(o =>
            {
                LedgerMarten.Configure(o, ownerConnectionString, applySchema: true);
                Configure(o, setup);
            }))
            {
                await schemaStore.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
            }
            if (setup == MartenSetup.RowTriggers) await ExecAsync(owner, RejectedRowTriggersSql.Replace("{canonical}", CanonicalFunction()), ct);
            await ExecAsync(owner, PlainGrant.Replace("{role}", Role), ct);
        }

        var serviceConnectionString = new NpgsqlConnectionStringBuilder(ownerConnectionString)
        {
            Username = Role, Password = password, MaxPoolSize = 100,
        }.ConnectionString;
        var service = NpgsqlDataSource.Create(LedgerMarten.ForLedger(serviceConnectionString));
        if (Audited(setup))
        {
            // The role must be exactly the service's: the service's own start-up check, run as that role.
            var problems = await AuditSchema.CheckAsync(service, ct);
            if (problems.Count > 0) throw new InvalidOperationException($"{name}: the audit layer check failed: {string.Join("; ", problems)}");
        }
        var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, serviceConnectionString, applySchema: false);
            Configure(o, setup);
            o.Connection(service); // same connection string (LedgerMarten.ForLedger), on a pool this benchmark drains between runs
        });
        return new MartenDatabase(name, setup, owner, service, store);
    }

    /// <summary>What the benchmark adds to Ledger's configuration: the live aggregation FetchForWriting needs, and the diagnostic's defaults.</summary>
    private static void Configure(StoreOptions o, MartenSetup setup)
    {
        o.Projections.Add(new FoldedProjection(), ProjectionLifecycle.Live);
        if (setup == MartenSetup.MartenDefaults)
        {
            o.Events.UseExclusiveLockOnConcurrentAppends = false;
            o.Events.EnableUniqueIndexOnEventId = false;
        }
    }

    /// <summary>The audit layer's canonical form, as its migration defines it (so it cannot drift), in the rejected design's schema.</summary>
    private static string CanonicalFunction()
    {
        var script = AuditSchema.Migrations.Single(m => m.Version == 1).Sql;
        var start = script.IndexOf("CREATE FUNCTION ledger_audit.canonical(", StringComparison.Ordinal);
        var end = script.IndexOf("$$;", script.IndexOf("AS $$", start, StringComparison.Ordinal) + 5, StringComparison.Ordinal) + 3;
        return script[start..end].Replace("ledger_audit.canonical(", "bench_rowchain.canonical(", StringComparison.Ordinal);
    }

    /// <summary>The seal function as audit migration 0001 defined it (replacing audit/0004's), taken from the migration so it cannot drift.</summary>
    private static string FirstSealFunction()
    {
        var script = AuditSchema.Migrations.Single(m => m.Version == 1).Sql;
        var start = script.IndexOf("CREATE FUNCTION ledger_audit.seal_stream(", StringComparison.Ordinal);
        var end = script.IndexOf("$$;", script.IndexOf("AS $$", start, StringComparison.Ordinal) + 5, StringComparison.Ordinal) + 3;
        return "CREATE OR REPLACE" + script[start..end]["CREATE".Length..];
    }

    /// <summary>The counts to check at the end: the events the writers reported against the table, and for the audited designs every event hashed.</summary>
    public async Task<IReadOnlyList<CountCheck>> CountChecksAsync(CancellationToken ct)
    {
        var events = await CountAsync("SELECT count(*) FROM ledger.mt_events", ct);
        var checks = new List<CountCheck> { new(Events.What, Events.Events, events) };
        if (Audited(Setup))
        {
            if (Setup == MartenSetup.LedgerPathAppendRows) await ExecAsync(Owner, AppendRowsAsEventHashes, ct);
            checks.Add(new($"{Name}: ledger_audit.event_hashes (sealed) vs ledger.mt_events", events, await CountAsync("SELECT count(*) FROM ledger_audit.event_hashes", ct)));
            var verification = await ChainVerifier.VerifyAsync(Owner, ct);
            checks.Add(new($"{Name}: problems the chain verifier finds{(verification.Problems.Count > 0 ? $" (first: {verification.Problems[0]})" : "")}", 0, verification.Problems.Count));
        }
        if (Setup == MartenSetup.RowTriggers)
            checks.Add(new($"{Name}: bench_rowchain.event_hashes (chained) vs ledger.mt_events", events, await CountAsync("SELECT count(*) FROM bench_rowchain.event_hashes", ct)));
        return checks;
    }

    private async Task<long> CountAsync(string sql, CancellationToken ct)
    {
        await using var cmd = Owner.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Service.DisposeAsync();
        await Owner.DisposeAsync();
    }
}
