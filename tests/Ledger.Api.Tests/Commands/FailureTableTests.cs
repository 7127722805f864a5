using Ledger.Api.Commands;
using Ledger.Api.Tests.Writes;
using static Ledger.Api.Tests.Commands.CommandTestKit;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// The failure → status table (FailureTable, docs/commands.md) through the real endpoints: each row's status, its
/// problem+json body and its extensions, and nothing written (ported from Ledger.Commands.Tests). The 412 and 409
/// race rows are in <see cref="CommandHeaderTests"/> and <see cref="CommandRetryTests"/>, 400 for malformed headers in
/// <see cref="CommandHeaderTests"/>, 413 for every endpoint in Writes/BadInputTests.
/// </summary>
public sealed class FailureTableTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public void ToProblem_EveryKindOfFailure_HasItsStatus()
    {
        const string stream = "year-x-2023";
        var rows = new (CommandFailure Failure, int Status)[]
        {
            (new CommandFailure.ValidationFailed(new Dictionary<string, string[]> { ["value"] = ["bad"] }), 400),
            (new CommandFailure.BadHeader("If-Match", "bad"), 400),
            (new CommandFailure.NotFound("x"), 404),
            (new CommandFailure.Refused("r", "m", null), 422),
            (new CommandFailure.Conflict("r", "m"), 409),
            (new CommandFailure.PreconditionFailed(stream, 1, 2), 412),
            (new CommandFailure.RaceLost(stream, 1, 2, 3), 409),
        };
        Assert.All(rows, row => Assert.Equal(row.Status, FailureTable.ToProblem(row.Failure).Status));
        // Every kind of failure has a row here: a new kind must be added to the table and to this test.
        var kinds = typeof(CommandFailure).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(CommandFailure))).ToHashSet();
        Assert.Equal(kinds, rows.Select(r => r.Failure.GetType()).ToHashSet());
    }

    [Fact]
    public async Task RecordRealization_InvalidFields_Returns400WithAnErrorPerCamelCaseField()
    {
        // Missing indicator and value (required: present and not null), a period that is not a wire word.
        var s = await Surakarta.WithRenstraAsync(f);

        var invalid = await s.SendAsync(s.Staff, "realizations", """{"year":2023,"period":"Q5","evidence":null}""");

        Assert.Equal(400, invalid.Status);
        Assert.Equal("application/problem+json", invalid.ContentType());
        var errors = invalid.JsonAt("errors");
        Assert.Equal(["indicator", "period", "value"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task SignPk_InvalidNestedFields_Returns400NamingTheirCamelCasePaths()
    {
        var s = await Surakarta.WithRenstraAsync(f);

        var invalid = await s.SendAsync(s.Approver, "pk/2023",
            """{"signedOn":"2023-01-31","signer":{"nip":"19800412 200003 1 003","position":"Kepala Badan"},"targets":[{"indicator":"I2"}]}""");

        Assert.Equal(400, invalid.Status);
        Assert.Equal("application/problem+json", invalid.ContentType());
        Assert.Equal(["signer.name", "targets[0].target"], invalid.JsonAt("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task RecordRealization_MalformedJson_Returns400WithLineAndPosition()
    {
        var s = await Surakarta.WithRenstraAsync(f);

        var malformed = await s.SendAsync(s.Staff, "realizations", "{\n  \"indicator\": \"I2\",\n  \"value\": ,\n}");

        Assert.Equal(400, malformed.Status);
        Assert.Equal("application/problem+json", malformed.ContentType());
        var error = Assert.Single(malformed.JsonAt("errors").EnumerateObject());
        var message = error.Value[0].GetString()!;
        Assert.Contains("line 3", message);
        Assert.Contains("position", message);
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Theory]
    [InlineData("value", """{"indicator":"I2","year":2023,"period":"Y","value":"tujuh puluh lima"}""")]
    [InlineData("value", """{"indicator":"I2","year":2023,"period":"Y","value":{}}""")]
    [InlineData("year", """{"indicator":"I2","year":2023.5,"period":"Y","value":75}""")]
    public async Task RecordRealization_WrongJsonType_Returns400NamingTheFieldWithItsLine(string field, string json)
    {
        var s = await Surakarta.WithRenstraAsync(f);

        var wrong = await s.SendAsync(s.Staff, "realizations", json);

        Assert.Equal(400, wrong.Status);
        Assert.Equal("application/problem+json", wrong.ContentType());
        Assert.True(wrong.TryJsonAt($"errors.{field}", out var messages), wrong.Text);
        Assert.Contains("line 1", messages[0].GetString());
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1]")]
    public async Task RecordRealization_EmptyOrNonObjectBody_Returns400ForTheWholeBody(string json)
    {
        var s = await Surakarta.WithRenstraAsync(f);

        var bad = await s.SendAsync(s.Staff, "realizations", json);

        Assert.Equal(400, bad.Status);
        Assert.Equal("application/problem+json", bad.ContentType());
        Assert.True(bad.TryJsonAt("errors.$", out _), bad.Text);
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task RecordRealization_UnknownIndicator_Returns404NamingItAndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);

        var missing = await s.SendAsync(s.Staff, "realizations", Realization("I99", 1m));

        Assert.Equal(404, missing.Status);
        Assert.Equal("application/problem+json", missing.ContentType());
        Assert.Contains("I99", missing.JsonAt("detail").GetString());
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task RecordRealization_AlreadyRecorded_Returns422NamingRuleAndFieldAndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", Realization("I2", 75m));

        var again = await s.SendAsync(s.Staff, "realizations", Realization("I2", 80m));

        Assert.Equal(422, again.Status);
        Assert.Equal("application/problem+json", again.ContentType());
        Assert.Equal("realization.already-recorded-use-correction", again.JsonAt("rule").GetString());
        Assert.Equal("period", again.JsonAt("field").GetString());
        Assert.Single(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task RecordRealization_PeriodTheRenstraDoesNotAggregate_Returns422FromTheOtherStreamsFacts()
    {
        // I2 is aggregated "annual" in the Renstra (another stream, loaded as the decision's context): no quarters.
        var s = await Surakarta.WithRenstraAsync(f);

        var refused = await s.SendAsync(s.Staff, "realizations", Realization("I2", 20m, "Q1"));

        Assert.Equal(422, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType());
        Assert.Equal("realization.period-invalid", refused.JsonAt("rule").GetString());
        Assert.Equal("period", refused.JsonAt("field").GetString());
        Assert.Empty(await f.LogAsync(s.YearStream));
    }

    [Fact]
    public async Task RecordRealization_ClosedYear_Returns409YearClosedAndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });

        var closed = await s.SendAsync(s.Staff, "realizations", Realization("I2", 75m));

        Assert.Equal(409, closed.Status);
        Assert.Equal("application/problem+json", closed.ContentType());
        Assert.Equal("year.closed", closed.JsonAt("rule").GetString());
        Assert.Equal(["year.closed.v1", "year.snapshot-frozen.v1"], (await f.LogAsync(s.YearStream)).Select(e => e.Type));
    }
}
