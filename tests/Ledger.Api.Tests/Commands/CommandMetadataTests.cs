using System.Text.Json;
using Ledger.Api.Tests.Writes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Ledger.Api.Tests.Commands.CommandTestKit;

namespace Ledger.Api.Tests.Commands;

/// <summary>What every command records on every event it appends, and the ids it answers with (ported from Ledger.Commands.Tests).</summary>
public sealed class CommandMetadataTests(HookedApiFactory f) : IClassFixture<HookedApiFactory>
{
    [Fact]
    public async Task CloseYear_WithReasonCorrelationIdAndKey_RecordsThemOnEveryEventAndAnswersTheStoredIds()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var correlation = "lkjip-2023-" + Guid.NewGuid().ToString("N");
        var key = NewKey();

        var closed = await s.SendAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023", reason = "Penutupan tahun kinerja 2023" },
            ("X-Correlation-Id", correlation), key);

        Assert.Equal(200, closed.Status);
        Assert.Equal("\"2\"", closed.Header("ETag"));
        Assert.Equal(s.YearStream, closed.JsonAt("streamId").GetString());
        Assert.Equal(2, closed.JsonAt("version").GetInt64());
        var answered = closed.JsonAt("eventIds").EnumerateArray().Select(e => e.GetGuid()).ToList();
        var log = await f.LogAsync(s.YearStream);
        Assert.Equal(["year.closed.v1", "year.snapshot-frozen.v1"], log.Select(e => e.Type));
        Assert.Equal(log.Select(e => e.Id), answered); // the answer names the stored events, in order
        Assert.All(log, e =>
        {
            var actor = JsonDocument.Parse(e.ActorJson!).RootElement;
            Assert.Equal("approver", actor.GetProperty("role").GetString());
            Assert.Equal("Kepala BKPSDM", actor.GetProperty("name").GetString());
            Assert.Equal(s.Agency, actor.GetProperty("agency").GetString());
            Assert.NotEqual(Guid.Empty, actor.GetProperty("id").GetGuid());
            Assert.Equal("Penutupan tahun kinerja 2023", e.Reason);
            Assert.Equal(correlation, e.CorrelationId);
            Assert.Equal(key.Item2, e.IdempotencyKey);
            Assert.Equal(s.Agency, e.Agency);
            AssertCamelCase(e.Data, e.Type);
        });
        Assert.Equal(closed.JsonAt("snapshotHash").GetString(), log[0].Data.GetProperty("snapshotHash").GetString());
    }

    [Fact]
    public async Task RecordRealization_WithoutCorrelationIdOrKey_RecordsTheRequestsTraceIdentifierAndNoKey()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        string? traceIdentifier = null;
        f.Hooks.On(s.YearStream, (_, _) =>
        {
            traceIdentifier = f.Services.GetRequiredService<IHttpContextAccessor>().HttpContext!.TraceIdentifier;
            return Task.CompletedTask;
        });

        var recorded = await s.SendAsync(s.Staff, "realizations", Realization("I2", 75m));

        Assert.Equal(200, recorded.Status);
        var e = Assert.Single(await f.LogAsync(s.YearStream));
        Assert.Equal(recorded.JsonAt("eventIds[0]").GetGuid(), e.Id);
        Assert.Equal("realization.recorded.v1", e.Type);
        Assert.False(string.IsNullOrEmpty(traceIdentifier));
        Assert.Equal(traceIdentifier, e.CorrelationId);
        Assert.Null(e.IdempotencyKey);
        Assert.Null(e.Reason);
        Assert.Equal("staff", JsonDocument.Parse(e.ActorJson!).RootElement.GetProperty("role").GetString());
        Assert.Equal(75m, e.Data.GetProperty("value").GetDecimal());
        Assert.Equal("I2", e.Data.GetProperty("indicator").GetString());
    }

    /// <summary>A stored payload's property names are camelCase, as the client spells them (its record's names are PascalCase).</summary>
    private static void AssertCamelCase(JsonElement payload, string type)
    {
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
        Assert.NotEmpty(payload.EnumerateObject());
        Assert.All(payload.EnumerateObject(), p => Assert.True(char.IsLower(p.Name[0]), $"{type}: property '{p.Name}' is not camelCase"));
    }
}
