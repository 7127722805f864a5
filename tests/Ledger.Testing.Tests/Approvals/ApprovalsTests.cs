using System.Text.Json;
using Ledger.Testing.Approvals;
using Snap = Ledger.Testing.Approvals.Approvals;

namespace Ledger.Testing.Tests.Approvals;

/// <summary>Snapshots that live beside this file (committed *.verified.json).</summary>
public sealed class ApprovalsTests
{
    private enum Colour { Red, DarkBlue }

    private static readonly Guid First = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff");
    private static readonly Guid Second = Guid.Parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427");

    [Fact]
    public async Task Object_is_serialized_camel_case_in_declared_order()
    {
        await Snap.VerifyJson(new
        {
            DisplayName = "Dinas Pendidikan — Bandung",
            Amount = 1234.50m,
            Tiny = 0.0000001m,
            Count = 3,
            Colour = Colour.DarkBlue,
            Missing = (string?)null,
            Nested = new { IsActive = true, Items = new[] { 1, 2 } },
        });
    }

    [Fact]
    public async Task Scrubbers_replace_volatile_values_stably()
    {
        var settings = new VerifySettings()
            .ScrubMember("token")
            .IgnoreMember("etag")
            .ScrubRegex(@"AGY-\d+", "AGY-n");

        await Snap.VerifyJson(new
        {
            Id = First,
            ParentId = Second,
            SameIdAgain = First,
            Sentence = $"agency {Second} renamed by {First}",
            Empty = Guid.Empty,
            CreatedAt = new DateTimeOffset(2024, 3, 5, 10, 15, 30, TimeSpan.FromHours(7)),
            UpdatedAt = new DateTime(2024, 3, 5, 3, 15, 30, DateTimeKind.Utc),
            CreatedAgain = new DateTimeOffset(2024, 3, 5, 10, 15, 30, TimeSpan.FromHours(7)),
            PeriodStart = new DateOnly(2023, 10, 2),
            PeriodText = "2023-10-02",
            Hash = new string('a', 32) + new string('F', 32),
            NotAHash = new string('a', 63),
            Token = "eyJhbGciOi.secret.sig",
            ETag = "\"7\"",
            Code = "AGY-123",
            ById = new Dictionary<string, int> { [First.ToString()] = 1 },
        }, settings);
    }

    [Fact]
    public async Task Json_string_keeps_the_order_given_and_numbers_as_written()
    {
        await Snap.VerifyJson("""{"z":1,"a":{"y":1.50,"b":1e-7,"c":2E3},"list":[3,1,2],"text":"<a href='x'>&amp;</a>"}""");
    }

    [Fact]
    public async Task Several_snapshots_in_one_test_use_names()
    {
        await Snap.VerifyJson(new { Step = 1 }, new VerifySettings().UseName("before"));
        await Snap.VerifyJson(new { Step = 2 }, new VerifySettings().UseName("after"));
    }

    [Fact]
    public async Task Sorting_properties_is_opt_in()
    {
        await Snap.VerifyJson("""{"b":{"d":1,"c":2},"a":0}""", new VerifySettings().SortPropertiesAlphabetically());
    }

    [Fact]
    public void Same_guid_gets_the_same_placeholder_numbered_by_first_appearance()
    {
        var text = Snap.ToSnapshot(new[] { Second, First, Second, First });
        Assert.Equal("[\n  \"Guid_1\",\n  \"Guid_2\",\n  \"Guid_1\",\n  \"Guid_2\"\n]\n", text);

        // Case does not make a different GUID.
        var mixed = Snap.ToSnapshot(new[] { First.ToString(), First.ToString().ToUpperInvariant() });
        Assert.Equal("[\n  \"Guid_1\",\n  \"Guid_1\"\n]\n", mixed);
    }

    [Fact]
    public void Dates_without_time_are_business_data_and_stay()
    {
        var text = Snap.ToSnapshot(new
        {
            Date = new DateOnly(2023, 10, 2),
            Text = "due 2023-10-02, sent 2023-10-02T08:00:00Z",
            Utc = "2023-10-02T08:00:00.1234567Z",
            Local = "2023-10-02T08:00",
            Offset = "2023-10-02T08:00:00+07:00",
        });
        Assert.Contains("\"date\": \"2023-10-02\"", text);
        Assert.Contains("\"text\": \"due 2023-10-02, sent DateTimeOffset_1\"", text);
        Assert.Contains("\"utc\": \"DateTimeOffset_2\"", text);
        Assert.Contains("\"local\": \"DateTimeOffset_3\"", text);
        Assert.Contains("\"offset\": \"DateTimeOffset_4\"", text);
    }

    [Fact]
    public void Built_in_scrubbers_can_be_switched_off()
    {
        var hash = new string('b', 64);
        var text = Snap.ToSnapshot(
            new { Id = First, At = "2024-01-01T00:00:00Z", Hash = hash },
            new VerifySettings().DontScrubGuids().DontScrubDateTimes().DontScrubHashes());
        Assert.Contains(First.ToString(), text);
        Assert.Contains("2024-01-01T00:00:00Z", text);
        Assert.Contains(hash, text);
    }

    [Fact]
    public void Member_scrubbers_apply_at_any_depth_to_any_value()
    {
        var text = Snap.ToSnapshot(
            """{"Token":{"a":1},"inner":[{"token":42,"keep":true}]}""",
            new VerifySettings().ScrubMember("token"));
        Assert.Equal("{\n  \"Token\": \"Scrubbed\",\n  \"inner\": [\n    {\n      \"token\": \"Scrubbed\",\n      \"keep\": true\n    }\n  ]\n}\n", text);
    }

    [Fact]
    public void Invalid_json_string_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Snap.ToSnapshot("{not json"));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Json_elements_are_accepted()
    {
        using var document = JsonDocument.Parse("""{"a":[1]}""");
        Assert.Equal("{\n  \"a\": [\n    1\n  ]\n}\n", Snap.ToSnapshot(document));
        Assert.Equal(Snap.ToSnapshot(document), Snap.ToSnapshot(document.RootElement));
    }

    [Fact]
    public void File_names_come_from_the_caller_file_and_member()
    {
        var dir = AppContext.BaseDirectory;
        var source = Path.Combine(dir, "WidgetTests.cs");

        var files = Snap.FilesFor(source, "Creates_widget");
        Assert.Equal(Path.Combine(dir, "WidgetTests.Creates_widget.verified.json"), files.Verified);
        Assert.Equal(Path.Combine(dir, "WidgetTests.Creates_widget.received.json"), files.Received);

        var named = Snap.FilesFor(source, "Creates_widget", new VerifySettings().UseName("second"));
        Assert.Equal(Path.Combine(dir, "WidgetTests.Creates_widget.second.verified.json"), named.Verified);

        Assert.Throws<DirectoryNotFoundException>(() => Snap.FilesFor("/no/such/dir/X.cs", "M"));
    }
}
