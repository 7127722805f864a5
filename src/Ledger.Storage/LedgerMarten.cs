using JasperFx;
using JasperFx.Events;
using Ledger.Audit;
using Ledger.Domain;
using Marten;
using Weasel.Core;

namespace Ledger.Storage;

/// <summary>
/// How Ledger uses Marten, in one place. Every setting here is part of the stored record or of an audit guarantee;
/// changing one is a migration, not a tweak (docs/architecture.md):
/// <list type="bullet">
/// <item>schema <c>ledger</c> (the audit SQL names its tables), single tenancy, string stream keys
///   (<c>agency-{code}</c>, <c>year-{agency}-{year}</c>, …);</item>
/// <item><see cref="EventAppendMode.Quick"/>: the append function stamps <c>now()</c>, the database clock (the seal
///   trigger refuses anything else); never Rich, whose gaps defeat the daemon's liveness probe;</item>
/// <item><c>UseExclusiveLockOnConcurrentAppends</c>: the stream row is locked before any sequence value is taken, which
///   <see cref="SettledSequence"/> relies on, and concurrent writers of one stream queue instead of failing late;</item>
/// <item>correlation id, causation id and headers on, frozen: Marten's schema tool drops a column whose setting is
///   switched off, with its content; a unique index on event ids (evidence links name events by id);</item>
/// <item>event type names from <see cref="DomainEventTypes.All"/>, payloads in <see cref="LedgerJson"/>; headers read by
///   <see cref="EventHeadersConverter"/> (text stays text, the actor is a <see cref="JsonHeaderValue"/>).</item>
/// </list>
/// </summary>
public static class LedgerMarten
{
    public const string Schema = AuditSql.MartenSchema;

    /// <param name="connectionString">the role Marten connects as (the restricted service role in the service).</param>
    /// <param name="applySchema">true only for the schema owner's store, which creates and updates Marten's objects.</param>
    public static void Configure(StoreOptions options, string connectionString, bool applySchema = false)
    {
        options.Connection(ForLedger(connectionString));
        options.DatabaseSchemaName = Schema;
        options.AutoCreateSchemaObjects = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;

        var events = options.Events;
        events.StreamIdentity = StreamIdentity.AsString;
        events.AppendMode = EventAppendMode.Quick;
        events.UseExclusiveLockOnConcurrentAppends = true;
        events.EnableUniqueIndexOnEventId = true;
        // Ledger's own index of the published log heads (audit/0005): Marten's schema tool would drop an index it does not know.
        events.IgnoreIndex(AuditSql.PublishedHeadsIndex);
        events.MetadataConfig.CorrelationIdEnabled = true;
        events.MetadataConfig.CausationIdEnabled = true;
        events.MetadataConfig.HeadersEnabled = true;
        foreach (var (name, type) in DomainEventTypes.All) events.MapEventType(type, name);

        var json = new System.Text.Json.JsonSerializerOptions(LedgerJson.Options);
        json.Converters.Insert(0, new EventHeadersConverter()); // headers read back as written (before Marten's converter for object)
        options.UseSystemTextJsonForSerialization(json, EnumStorage.AsString, Casing.CamelCase);
        options.Serializer(new BufferedRowSerializer(options.Serializer()));
        LedgerAggregates.Register(options);
    }

    /// <summary>
    /// Connections per pool unless the connection string sets its own <c>Maximum Pool Size</c>: 4 per core, at least 16
    /// (Npgsql's default is 100). Under a burst of requests a pool opens a new connection for each one waiting, and each
    /// costs PostgreSQL a new backend (fork, SCRAM authentication, catalog caches filled by its first statements) and CPU
    /// on both sides: on two cores, open-loop reads stalled the service for about 3 s whenever their rate rose to 1 000/s,
    /// and did not with bounded pools (docs/performance.md "HTTP reads alone at fixed arrival rates"). Past a few
    /// connections per core PostgreSQL does not answer faster either; a request waits for a free connection instead
    /// (Npgsql's <c>Timeout</c>, 15 s, then 503).
    /// A pool is per connection string: Marten's (with Wolverine's work and the daemon) and the service's own are two.
    /// </summary>
    public static int DefaultMaxPoolSize => Math.Max(16, 4 * Environment.ProcessorCount);

    /// <summary>Whether the connection string names a maximum pool size itself (any of Npgsql's spellings).</summary>
    private static bool SetsMaxPoolSize(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .Any(k => k is "maxpoolsize" or "maximumpoolsize");
    }

    /// <summary>Client-side TCP keepalive defaults (seconds): idle time before the first probe, and between probes.</summary>
    public const int TcpKeepaliveTime = 10, TcpKeepaliveInterval = 2;

    /// <summary>
    /// Every Ledger connection works in UTC (Marten's quick append writes <c>now() at time zone 'utc'</c>, which is the
    /// transaction's clock only in a UTC session; the seal trigger refuses anything else) and keeps its session state
    /// between uses (no DISCARD ALL: cached plans of the append and seal functions survive).
    /// <para>
    /// It also has TCP keepalives (issue 13, two hosts), unless the connection string sets them itself: an idle
    /// connection — above all the one on which the daemon's leader holds its advisory lock — whose server or network has
    /// vanished without closing it is then found broken by this side's kernel after about
    /// <see cref="TcpKeepaliveTime"/> + 9 × <see cref="TcpKeepaliveInterval"/> = 28 s (Linux sends 9 probes), and a leader
    /// that lost its lock connection stops its agents at the coordinator's next poll (Marten monitors the lock's
    /// connection). That PostgreSQL releases the lock of a vanished <em>client</em> is the server's keepalives' job
    /// (<c>tcp_keepalives_idle</c>/<c>_interval</c>/<c>_count</c>; docs/deployment.md).
    /// </para>
    /// </summary>
    public static string ForLedger(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Timezone = "UTC", NoResetOnClose = true };
        if (!SetsMaxPoolSize(connectionString)) b.MaxPoolSize = DefaultMaxPoolSize;
        // Npgsql's own "Keepalive" (application-level pings) is left alone: it would also change how Marten's lock monitor
        // waits on the connection (a pg_sleep loop instead of a passive wait).
        // Not over a Unix-domain socket (PostgreSQL on the same host): it has no TCP to keep alive, and Npgsql's setting the
        // options on such a socket fails every connection ("Operation not supported").
        if (!OverUnixSocket(b) && !b.TcpKeepAlive && b.TcpKeepAliveTime == 0 && b.TcpKeepAliveInterval == 0)
        {
            b.TcpKeepAliveTime = TcpKeepaliveTime;
            b.TcpKeepAliveInterval = TcpKeepaliveInterval;
        }
        return b.ConnectionString;
    }

    /// <summary>
    /// Whether any of the connection string's hosts is a Unix-domain socket: Npgsql reads a host starting with <c>/</c> as
    /// the socket's folder (e.g. Debian's <c>/var/run/postgresql</c>) and one starting with <c>@</c> as Linux's abstract
    /// namespace. A list mixing sockets and TCP hosts gets no keepalives for its TCP hosts either (Npgsql would set them on
    /// its sockets too).
    /// </summary>
    private static bool OverUnixSocket(Npgsql.NpgsqlConnectionStringBuilder b) =>
        b.Host is { Length: > 0 } hosts && hosts.Split(',').Any(h => h.Trim() is ['/', ..] or ['@', ..]);
}
