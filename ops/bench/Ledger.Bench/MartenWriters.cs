using JasperFx.Events;
using Ledger.Storage;
using Marten;
using Marten.Events.Aggregation;
using DomainRealization = Ledger.Domain.PerformanceYears.RecordingRealization.RealizationRecorded;

namespace Ledger.Bench;

/// <summary>
/// Bench-only aggregate for <c>FetchForWriting</c>, which needs a live aggregation of the stream it appends to. Counts
/// the stream's events; never stored (the projection is live). Public, with an <see cref="Id"/>: Marten maps it as a
/// document type.
/// </summary>
public sealed class Folded
{
    public string Id { get; set; } = "";
    public int Events { get; set; }
}

/// <summary>The live aggregation of <see cref="Folded"/>: one step per event.</summary>
public sealed class FoldedProjection : SingleStreamProjection<Folded, string>
{
    public override Folded Evolve(Folded? snapshot, string id, IEvent e)
    {
        var folded = snapshot ?? new Folded { Id = id };
        folded.Events++;
        return folded;
    }
}

/// <summary>
/// An append through Marten exactly as a command makes it: a lightweight session, Ledger's headers (actor, reason,
/// agency) and a correlation id, <c>FetchForWriting</c> of the stream (its live aggregate and version: the append then
/// expects that version), <c>AppendOne</c>/<c>AppendMany</c>, <c>SaveChangesAsync</c>. Streams stay short so the live
/// aggregation costs the same throughout a run: a single-event writer moves to a new stream every
/// <see cref="AppendsPerStream"/> appends, a batch writer starts a new stream for every batch.
/// <para>
/// A stream's FIRST append cannot take that route on the Ledger path: <c>FetchForWriting</c> of a stream that does not
/// exist makes Marten start it, and in Quick mode Marten starts a stream with per-event INSERTs whose timestamp is the
/// client's clock (only appends to existing or expected-version streams go through <c>mt_quick_append_events</c>, which
/// stamps <c>now()</c>); the seal refuses that at commit (23514). So every writer, on every design alike, creates its
/// streams as the audit tests do: the same live read (<c>FetchLatest</c>) and <c>Events.Append(key, expected version
/// after the append, events)</c>, i.e. <c>mt_quick_append_events</c> with expected version 0.
/// </para>
/// </summary>
internal sealed class MartenWriter(IDocumentStore store, string streamPrefix, int batchSize, int seed) : IWriter
{
    public const int AppendsPerStream = 10;

    /// <summary>The actor header as the command pipeline writes it (<see cref="EventHeaders.Actor"/>).</summary>
    private static readonly IReadOnlyDictionary<string, string> Actor = new Dictionary<string, string>
    {
        ["name"] = "Siti Rahayu", ["nip"] = "198004122000031003", ["role"] = "staff",
    };

    private readonly MartenPayloads _payloads = new(seed);
    private int _stream;
    private int _appendsOnStream;

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        if (batchSize > 1 || _appendsOnStream == AppendsPerStream)
        {
            _stream++;
            _appendsOnStream = 0;
        }
        var key = $"{streamPrefix}-{_stream:D7}";

        await using var session = store.LightweightSession();
        session.CorrelationId = Guid.NewGuid().ToString();
        session.SetHeader(EventHeaders.Actor, Actor);
        session.SetHeader(EventHeaders.Reason, "Laporan capaian triwulan");
        session.SetHeader(EventHeaders.Agency, Payloads.Tenant);
        var events = new object[batchSize];
        for (var k = 0; k < batchSize; k++) events[k] = _payloads.Next();
        if (_appendsOnStream == 0)
        {
            // A new stream (see the class comment): read as a command would, then append expecting version 0.
            if (await session.Events.FetchLatest<Folded>(key, ct) is not null)
                throw new InvalidOperationException($"{key}: Marten finds events in a stream this writer has not written yet.");
            session.Events.Append(key, (long)batchSize, events);
        }
        else
        {
            var stream = await session.Events.FetchForWriting<Folded>(key, ct);
            if (stream.Aggregate?.Events != _appendsOnStream || stream.CurrentVersion != _appendsOnStream)
                throw new InvalidOperationException($"{key}: Marten says version {stream.CurrentVersion} ({stream.Aggregate?.Events} events folded), this writer appended {_appendsOnStream}.");
            if (batchSize == 1) stream.AppendOne(events[0]);
            else stream.AppendMany(events);
        }
        await session.SaveChangesAsync(ct);
        _appendsOnStream++;
        return batchSize;
    }
}

/// <summary>Per-writer generator of the domain's realization events (mapped as <c>realization.recorded.v1</c>), about 300 bytes stored.</summary>
internal sealed class MartenPayloads(int seed)
{
    private readonly Random _rng = new(seed);
    private int _counter;

    public DomainRealization Next()
    {
        _counter++;
        var year = 2023 + _rng.Next(3);
        var numerator = _rng.Next(50, 500);
        var denominator = _rng.Next(500, 600);
        return new DomainRealization(
            Indicator: $"IKU-{_rng.Next(1, 10)}.{_rng.Next(1, 10)}.{_rng.Next(1, 20)}",
            Period: $"Q{_rng.Next(1, 5)}",
            Value: Math.Round(numerator * 100m / denominator, 2),
            Numerator: numerator,
            Denominator: denominator,
            Evidence: $"Laporan capaian triwulan no. 800/{_counter:D5}/BKPSDM/{year}, diverifikasi Inspektorat",
            Note: "Persentase ASN yang memenuhi standar kompetensi jabatan",
            ClaimedCapaian: Math.Round((decimal)(_rng.NextDouble() * 120), 2));
    }
}

/// <summary>Events written into one table, as the writers report them (warm-up and priming included), to check against the table at the end.</summary>
internal sealed class Tally(string what)
{
    private long _events;

    public string What { get; } = what;
    public long Events => Interlocked.Read(ref _events);
    public void Add(long events) => Interlocked.Add(ref _events, events);
}

/// <summary>Adds what its writer reports to a <see cref="Tally"/>.</summary>
internal sealed class CountingWriter(IWriter inner, Tally tally) : IWriter
{
    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var events = await inner.ExecuteOnceAsync(ct);
        tally.Add(events);
        return events;
    }
}
