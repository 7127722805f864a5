using System.Globalization;
using System.Text.Json;
using Alba;
using Ledger.Api.Commands;
using Ledger.Api.Features.Reads;
using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Api.Tests.Audit;
using Ledger.Api.Tests.Writes;
using Ledger.Domain.Renstras;
using Ledger.ReadModels;
using Ledger.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Snapshots;

/// <summary>Its own database: <see cref="RenstraSnapshotsTests"/> forges a Renstra snapshot row, which other classes' verifiers would name.</summary>
public sealed class RenstraSnapshotsApiFactory() : KeyedSnapshotsApiFactory(SnapshotsAheadApiFactory.SnapshotEvery);

/// <summary>
/// Issue 13, first touches (twenty-third session): a Renstra stream is snapshotted as a year stream is, at every
/// <see cref="ReadLoaderOptions.DefaultRenstraSnapshotEvery"/> versions, by the command whose append crosses it; a
/// process that has not folded the plan reads it from its newest usable row and the events after it, at the head and as
/// of an instant; the verifier replays every row.
/// </summary>
public sealed class RenstraSnapshotsTests(RenstraSnapshotsApiFactory f) : IClassFixture<RenstraSnapshotsApiFactory>
{
    private const int Every = ReadLoaderOptions.DefaultRenstraSnapshotEvery;

    private StreamSnapshots Snapshots => SnapshotsAhead.Snapshots(f);

    private static object Extra(int i) => new
    {
        code = $"X{i:D2}", name = "Indikator tambahan " + i, level = "sasaran", kind = "IKU", unit = "%", polarity = "higher", aggregation = "annual",
        targets = new Dictionary<string, decimal> { ["2023"] = 50 + i },
    };

    /// <summary>A fold of the Renstra stream's events 1..<paramref name="version"/> from the log.</summary>
    private async Task<RenstraState> ReplayedAsync(string stream, long version)
    {
        var events = await new StreamLoader(f.Store, f.Database.Owner).ReadAsync(stream, new StreamBound { UpToVersion = version });
        Assert.Equal(version, events.Count);
        return events.Select(DomainCommands.Decode).Aggregate(RenstraState.Initial, Renstra.Evolve);
    }

    private static string Indicator(Surakarta s, string code, DateTimeOffset? asOf = null) =>
        $"/api/agencies/{s.Agency}/indicators/{code}?year=2023"
        + (asOf is { } at ? "&asOf=" + Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture)) : "");

    private static async Task<JsonElement> GetAsync(IAlbaHost host, string token, string url)
    {
        var result = await host.Scenario(x =>
        {
            x.WithBearerToken(token);
            x.Get.Url(url);
            x.StatusCodeShouldBe(200);
        });
        return result.Json.Clone();
    }

    private static decimal RenstraTarget(JsonElement indicator) => indicator.GetProperty("targets").GetProperty("renstra").GetDecimal();

    [Fact]
    public async Task Commands_WriteTheRenstraSnapshot_AnotherProcessReadsFromIt_AtTheHeadAndAsOf_AForgedRowIsCaughtByVerify()
    {
        var s = await Surakarta.WithRenstraAsync(f); // version 6: the plan and five indicators
        var stream = Renstra.StreamName(s.Agency, 2021);
        for (var i = 7; i < Every; i++) await s.PostAsync(s.Staff, "renstra/2021/indicators", Extra(i), 201);
        Assert.Equal(0, await SnapshotsAhead.RowsAsync(f, stream)); // version 19: nothing crossed yet

        await s.PostAsync(s.Staff, "renstra/2021/indicators", Extra(Every), 201); // version 20
        var written = await Snapshots.LatestWithChainHashAsync(stream, ReadLoader.RenstraCodec.StateType, null);
        Assert.NotNull(written);
        Assert.Equal(Every, written.Snapshot.Version);
        Assert.True(written.Snapshot.Authentic);
        Assert.Equal(written.ChainHash, written.Snapshot.EventHash);
        Assert.Equal(ReadLoader.RenstraCodec.Serialize(await ReplayedAsync(stream, Every)), written.Snapshot.Json);
        await s.PostAsync(s.Staff, "renstra/2021/indicators", Extra(Every + 1), 201); // version 21, after the row
        Assert.Equal(1, await SnapshotsAhead.RowsAsync(f, stream));

        // The read models' daemon is handed the same row as the start of its re-fold of the plan, found up to the
        // sequence it has folded (twenty-fourth session).
        IRenstraStarts starts = f.Services.GetRequiredService<SnapshotStarts>();
        Assert.Same(starts, f.Services.GetRequiredService<RegisteredReadModels>().Sakip!.State.RenstraStarts);
        var daemonStart = Assert.Single(await starts.FindAsync([stream], long.MaxValue, CancellationToken.None)).Value;
        Assert.Equal(Every, daemonStart.Version);
        Assert.Equal(ReadLoader.RenstraCodec.Serialize(await ReplayedAsync(stream, Every)), ReadLoader.RenstraCodec.Serialize(daemonStart.State));
        var before = await f.EventsAsync(stream);
        Assert.Empty(await starts.FindAsync([stream], before[Every - 2].Sequence, CancellationToken.None));
        Assert.Empty(await starts.FindAsync([Renstra.StreamName(s.Agency, 2026)], long.MaxValue, CancellationToken.None));
        Assert.True((await DerivedState.VerifyAsync(f)).GetProperty("ok").GetBoolean());
        Assert.Equal(75m, RenstraTarget(await f.GetAsync(s.Staff, Indicator(s, "I2")))); // this process's reads now hold the plan at 21

        // With the service's key, a row at version 21 (none there: the interval is 20) whose plan says 12.5 for I2 in 2023.
        var events = await f.EventsAsync(stream);
        var honest = await ReplayedAsync(stream, Every + 1);
        var forged = honest with
        {
            Indicators = honest.Indicators.ConvertAll(i => i.Code == "I2" ? i with { Targets = i.Targets.SetItem(2023, 12.5m) } : i),
        };
        await Snapshots.SaveAsync(stream, Every + 1, events[Every].Timestamp, (await Snapshots.ChainHashAsync(stream, Every + 1))!,
            ReadLoader.RenstraCodec.StateType, ReadLoader.RenstraCodec.Serialize(forged));

        // This process holds the plan's fold at 21: the row changes nothing here.
        Assert.Equal(75m, RenstraTarget(await f.GetAsync(s.Staff, Indicator(s, "I2"))));

        await using (var other = await f.StartHostAsync(_ => { }))
        {
            // Another process starts from the newest usable row: the forged one steers its read (so the read did start
            // from the row), and the indicator added after the honest row is there.
            Assert.Equal(12.5m, RenstraTarget(await GetAsync(other, s.Staff, Indicator(s, "I2"))));
            Assert.Equal(71m, RenstraTarget(await GetAsync(other, s.Staff, Indicator(s, $"X{Every + 1:D2}"))));
        }
        await using (var other = await f.StartHostAsync(_ => { }))
        {
            // As of the 20th event (before the forged row's time): the honest row at 20, read ahead with the other streams.
            var asOf = events[Every - 1].Timestamp;
            Assert.Equal(75m, RenstraTarget(await GetAsync(other, s.Staff, Indicator(s, "I2", asOf))));
            Assert.Equal(70m, RenstraTarget(await GetAsync(other, s.Staff, Indicator(s, $"X{Every:D2}", asOf))));
            await other.Scenario(x =>
            {
                x.WithBearerToken(s.Staff);
                x.Get.Url(Indicator(s, $"X{Every + 1:D2}", asOf));
                x.StatusCodeShouldBe(404);
            });
        }

        // A process under another key cannot tell the row from a forged one: it folds every event.
        await using (var foreign = await f.StartHostAsync(b => b.UseSetting("Ledger:SnapshotKey", Convert.ToHexString(StreamSnapshots.NewKey()))))
            Assert.Equal(75m, RenstraTarget(await GetAsync(foreign, s.Staff, Indicator(s, "I2"))));

        // A Renstra command in a process that has not folded the plan starts from the same row (twenty-fourth session):
        // the revision records the row's 12.5 as I2's target before it, where a fold of the log says 75.
        await using (var other = await f.StartHostAsync(_ => { }))
        {
            await other.Scenario(x =>
            {
                x.WithBearerToken(s.Approver);
                x.Post.Json(new { reason = "Penyesuaian RPJMD perubahan", changes = new[] { new { indicator = "I2", year = 2023, target = 80m } } })
                    .ToUrl($"/api/agencies/{s.Agency}/renstra/2021/revisions");
                x.StatusCodeShouldBe(200);
            });
            Assert.Equal(1, other.Services.GetRequiredService<CommandRunner>().FoldsFromSnapshots);
        }
        var revised = Assert.IsType<Ledger.Domain.Renstras.RevisingRenstra.RenstraRevised>(DomainCommands.Decode((await f.EventsAsync(stream))[^1]));
        Assert.Equal(12.5m, Assert.Single(revised.Changes).Before);

        // Under another key the same command folds every event: the next revision records the log's 80.
        await using (var foreign = await f.StartHostAsync(b => b.UseSetting("Ledger:SnapshotKey", Convert.ToHexString(StreamSnapshots.NewKey()))))
        {
            await foreign.Scenario(x =>
            {
                x.WithBearerToken(s.Approver);
                x.Post.Json(new { reason = "Penyesuaian kedua", changes = new[] { new { indicator = "I2", year = 2023, target = 85m } } })
                    .ToUrl($"/api/agencies/{s.Agency}/renstra/2021/revisions");
                x.StatusCodeShouldBe(200);
            });
            Assert.Equal(0, foreign.Services.GetRequiredService<CommandRunner>().FoldsFromSnapshots);
        }
        revised = Assert.IsType<Ledger.Domain.Renstras.RevisingRenstra.RenstraRevised>(DomainCommands.Decode((await f.EventsAsync(stream))[^1]));
        Assert.Equal(80m, Assert.Single(revised.Changes).Before);

        var derived = await DerivedState.VerifyAsync(f);
        Assert.False(derived.GetProperty("ok").GetBoolean());
        Assert.Contains(stream, derived.GetRawText());
        Assert.Contains("its state is not the replay", derived.GetRawText());
    }
}
