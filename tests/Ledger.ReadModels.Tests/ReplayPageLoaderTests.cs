using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Storage;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// A replay of projection <c>sakip</c> reads its pages straight from <c>ledger.mt_events</c> into the projection's events
/// (<see cref="SakipPageLoader"/>) instead of through Marten's event loader (docs/projections.md, "A replay reads its
/// pages as rows"). Each event must come out exactly as the daemon decodes Marten's event (<see cref="SakipEvent.From"/>),
/// in Marten's pages; a stored type the domain does not know, or a payload that cannot be read, stops the rebuild naming
/// the event, as Marten's loader does with <c>SkipUnknownEvents</c> and <c>SkipSerializationErrors</c> off.
/// </summary>
public sealed class ReplayPageLoaderTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pages_HoldEveryEventAsTheDaemonDecodesMartensEvent_InMartensPages()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        await SakipStory.AppendAsync(db, [SakipStory.Agency(1, "pl"), SakipStory.Agency(2, "pl")], years: 1);
        await db.AppendAsync("misc-pl", [new AgencyRegistered("x", "not an agency stream")]); // Other: no agency
        await SakipStory.AppendAsync(db, [SakipStory.Agency(3, "pl")], years: 1);
        var head = await db.HeadAsync();

        var loader = new SakipPageLoader(db.Service, db.Store.Options.Serializer(), null, NullLogger.Instance);
        var ours = new List<SakipEvent>();
        var pages = 0;
        for (long floor = 0; floor < head; pages++)
        {
            var page = await loader.LoadAsync(new EventRequest
            {
                Floor = floor, HighWater = head, BatchSize = 40, ErrorOptions = new ErrorHandlingOptions(), Name = db.Projection.Shard,
            }, CancellationToken.None);
            Assert.InRange(page.Count, 1, 40);
            Assert.Equal(floor, page.Floor);
            Assert.Equal(page.Count == 40 ? page[^1].Sequence : head, page.Ceiling); // Marten's ceiling rule
            foreach (var e in page)
            {
                var replayed = Assert.IsType<ReplayedEvent>(e);
                var decoded = SakipEvent.From(replayed);
                Assert.Same(replayed.Data, decoded);
                Assert.Same(replayed, decoded.Source); // a failure to apply it names this event to the daemon
                Assert.Equal((e.Sequence, e.Id, e.StreamKey, e.Version, e.EventTypeName, e.Timestamp),
                    (decoded.Sequence, decoded.Id, decoded.Stream, decoded.Version, decoded.Type, decoded.RecordedAt));
                ours.Add(decoded);
            }
            floor = page.Ceiling;
        }
        Assert.Equal((int)Math.Ceiling(head / 40.0), pages);

        // What the daemon's own pages give: Marten's events, decoded by SakipEvent.From.
        await using var session = db.Store.QuerySession();
        var marten = (await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync()).Select(SakipEvent.From).ToList();
        Assert.Equal(marten.Count, ours.Count);
        Assert.Contains(ours, e => e.Key.Kind == StreamKind.Other);
        Assert.Contains(ours, e => e.Reason is not null && e.ActorJson is not null && e.Key.Kind == StreamKind.Year);
        for (var i = 0; i < ours.Count; i++)
        {
            var (o, m) = (ours[i], marten[i]);
            var what = $"event {m.Sequence} ({m.Type} on {m.Stream})";
            Assert.True((o.Sequence, o.Id, o.Stream, o.Version, o.Type, o.RecordedAt, o.Reason, o.Key) ==
                        (m.Sequence, m.Id, m.Stream, m.Version, m.Type, m.RecordedAt, m.Reason, m.Key), what);
            // The actor is written into jsonb columns: the same JSON value (PostgreSQL's text of it spaces it differently).
            Assert.True(JsonNode.DeepEquals(Parse(o.ActorJson), Parse(m.ActorJson)), $"{what}: actor {o.ActorJson} vs {m.ActorJson}");
            // Events of other streams are not decoded (no projection reads them); every other payload is the same.
            if (m.Key.Kind == StreamKind.Other) Assert.Null(o.Event);
            else Assert.Equal(JsonSerializer.Serialize<object?>(m.Event, LedgerJson.Options), JsonSerializer.Serialize<object?>(o.Event, LedgerJson.Options));
        }
        output.WriteLine($"{ours.Count} events in {pages} pages, the same as Marten's.");

        static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
    }

    [Theory]
    [InlineData("type = 'no.such.event.v1'", typeof(UnknownEventTypeException))]
    [InlineData("data = '[1, 2]'", typeof(EventDeserializationFailureException))] // an array where a record is stored
    public async Task Rebuild_EventThatCannotBeRead_FailsNamingItAndWritesNothingOfItsPage(string alteration, Type failureType)
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        await SakipStory.AppendAsync(db, [SakipStory.Agency(1, "pu"), SakipStory.Agency(2, "pu")], years: 1);
        var head = await db.HeadAsync();
        var altered = head - 30;
        Assert.True(altered > 40, "the altered event is not on the first page");
        using var daemon = await db.StartDaemonAsync();
        await db.WaitForCatchUpAsync(daemon, Timeout);
        await daemon.StopAllAsync();

        // Behind the service's back (the chain verifier names this event); the rebuild must not pass over it.
        var type = await db.ScalarAsync<string>("SELECT type FROM ledger.mt_events WHERE seq_id = @s", ("s", altered));
        await db.Database.AsSuperuserBypassingTriggersAsync($"UPDATE ledger.mt_events SET {alteration} WHERE seq_id = @s", ("s", altered));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => daemon.RebuildProjectionAsync(SakipCombinedProjection.ProjectionName, Timeout, CancellationToken.None));
        output.WriteLine(failure.ToString());
        Assert.IsType(failureType, failure);
        var (sequence, named) = failure switch
        {
            UnknownEventTypeException u => (u.Sequence, u.EventTypeName),
            EventDeserializationFailureException d => (d.Sequence, d.EventTypeName),
            _ => throw new InvalidOperationException("unexpected failure"),
        };
        Assert.Equal(altered, sequence);
        Assert.Equal(failure is UnknownEventTypeException ? "no.such.event.v1" : type, named);
        var position = (await SakipReadModels.StatusAsync(db.Service)).Single().Position;
        Assert.True(position < altered, $"the shard went past the altered event: {position}");
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq > @p", ("p", position)));
    }

    /// <summary>
    /// A reason header that is not text (a JSON true, a number, an object: not what the service writes, but what any
    /// Marten writer could) is no reason, as the HTTP history reads it (<c>EventHeaderValues.Text</c>), in the daemon's
    /// continuous pages (Marten's event, its converter's boolean and numbers), in a replay's rows and in the verifier's
    /// recompute (both PostgreSQL's <c>jsonb_typeof</c>). Before, the first gave "True" and the others "true".
    /// </summary>
    [Fact]
    public async Task ReasonHeaderNotText_NoReasonInContinuousPagesInARebuildAndInTheVerifiersRecompute()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        using var daemon = await db.StartDaemonAsync(); // on an empty log: what follows comes in continuous pages
        var a = SakipStory.Agency(1, "nt");
        await SakipStory.AppendAsync(db, [a], years: 1);
        var before = await db.HeadAsync();
        var reasons = new object[] { true, 12.5m, 7L, new Dictionary<string, string> { ["why"] = "object" }, "teks" };
        for (var i = 0; i < reasons.Length; i++)
        {
            await using var session = db.Store.LightweightSession();
            ReadModelDb.Stamp(session, $"year-{a}-2022");
            session.SetHeader(EventHeaders.Reason, reasons[i]);
            var (indicator, period) = i < 4 ? ("IK99", $"Q{i + 1}") : ("IK01", "Y"); // none recorded by the story
            session.Events.Append($"year-{a}-2022", new RealizationRecorded(indicator, period, 61 + i, null, null, null, null, null));
            await session.SaveChangesAsync();
        }
        await db.WaitForCatchUpAsync(daemon, Timeout);
        const string Reasons = "SELECT string_agg(coalesce(reason, '(none)'), '|' ORDER BY seq) FROM readmodel.indicator_history WHERE seq > @p";
        Assert.Equal("(none)|(none)|(none)|(none)|teks", await db.ScalarAsync<string>(Reasons, ("p", before)));
        var verified = await ReadModelVerifier.VerifyAsync(db.Service, db.Store);
        Assert.True(verified.Ok, string.Join("; ", verified.Tables.Where(t => !t.Ok).Select(t => t.ToString())));

        await daemon.RebuildProjectionAsync(SakipCombinedProjection.ProjectionName, Timeout, CancellationToken.None);
        Assert.Equal("(none)|(none)|(none)|(none)|teks", await db.ScalarAsync<string>(Reasons, ("p", before)));
        await daemon.StopAllAsync();
    }
}
