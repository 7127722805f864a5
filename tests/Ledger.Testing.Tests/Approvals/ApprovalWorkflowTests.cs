using Ledger.Testing.Approvals;
using Snap = Ledger.Testing.Approvals.Approvals;

namespace Ledger.Testing.Tests.Approvals;

/// <summary>The verified/received file workflow, in a private temporary folder with an explicit environment.</summary>
public sealed class ApprovalWorkflowTests : IDisposable
{
    private static readonly SnapshotEnvironment Developer = new(AcceptRequested: false, IsContinuousIntegration: false);
    private static readonly SnapshotEnvironment Accepting = new(AcceptRequested: true, IsContinuousIntegration: false);
    private static readonly SnapshotEnvironment AcceptingOnCi = new(AcceptRequested: true, IsContinuousIntegration: true);

    private readonly string _dir = Directory.CreateTempSubdirectory("ledger-approvals-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Verified => Path.Combine(_dir, "Fake.Test.verified.json");
    private string Received => Path.Combine(_dir, "Fake.Test.received.json");

    private Task Verify(object value, SnapshotEnvironment environment) =>
        Snap.VerifyJson(value, new VerifySettings().UseDirectory(_dir).UseEnvironment(environment), sourceFile: "Fake.cs", memberName: "Test");

    [Fact]
    public async Task Match_passes_and_deletes_a_stale_received_file()
    {
        await File.WriteAllTextAsync(Verified, "{\n  \"a\": 1\n}\n");
        await File.WriteAllTextAsync(Received, "stale");

        await Verify(new { a = 1 }, Developer);

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public async Task Verified_file_with_crlf_and_no_final_newline_still_matches()
    {
        await File.WriteAllTextAsync(Verified, "{\r\n  \"a\": 1\r\n}");
        await Verify(new { a = 1 }, Developer);
    }

    [Fact]
    public async Task Mismatch_throws_with_diff_and_paths_and_writes_received()
    {
        var verifiedText = "{\n  \"name\": \"old\",\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 4,\n  \"e\": 5,\n  \"f\": 6\n}\n";
        await File.WriteAllTextAsync(Verified, verifiedText);

        var e = await Assert.ThrowsAsync<SnapshotMismatchException>(() =>
            Verify(new { name = "new", a = 1, b = 2, c = 3, d = 4, e = 5, f = 7 }, Developer));

        Assert.Equal(Verified, e.VerifiedPath);
        Assert.Equal(Received, e.ReceivedPath);
        Assert.Contains(Verified, e.Message);
        Assert.Contains(Received, e.Message);
        Assert.Contains("-   \"name\": \"old\",", e.Message);
        Assert.Contains("+   \"name\": \"new\",", e.Message);
        Assert.Contains("-   \"f\": 6", e.Message);
        Assert.Contains("+   \"f\": 7", e.Message);
        Assert.Contains("@@ ...", e.Message);           // unchanged middle lines are elided
        Assert.DoesNotContain("\"c\": 3", e.Message);
        Assert.Contains("LEDGER_ACCEPT_SNAPSHOTS=1", e.Message);

        Assert.Contains("\"name\": \"new\"", await File.ReadAllTextAsync(Received));
        Assert.Equal(verifiedText, await File.ReadAllTextAsync(Verified)); // untouched
    }

    [Fact]
    public async Task Missing_verified_file_throws_and_writes_received_only()
    {
        var e = await Assert.ThrowsAsync<SnapshotMismatchException>(() => Verify(new { a = 1 }, Developer));

        Assert.Contains("No verified snapshot exists yet", e.Message);
        Assert.Contains("+   \"a\": 1", e.Message);
        Assert.False(File.Exists(Verified));
        Assert.Equal("{\n  \"a\": 1\n}\n", await File.ReadAllTextAsync(Received));
    }

    [Fact]
    public async Task Accept_mode_writes_verified_and_passes()
    {
        await File.WriteAllTextAsync(Received, "stale");

        await Verify(new { a = 1 }, Accepting);            // missing -> accepted
        Assert.Equal("{\n  \"a\": 1\n}\n", await File.ReadAllTextAsync(Verified));
        Assert.False(File.Exists(Received));

        await Verify(new { a = 2 }, Accepting);            // changed -> accepted
        Assert.Equal("{\n  \"a\": 2\n}\n", await File.ReadAllTextAsync(Verified));

        await Verify(new { a = 2 }, Developer);            // and now it simply matches
    }

    [Fact]
    public async Task CI_never_auto_accepts_a_missing_snapshot()
    {
        var e = await Assert.ThrowsAsync<SnapshotMismatchException>(() => Verify(new { a = 1 }, AcceptingOnCi));

        Assert.Contains("CI=true", e.Message);
        Assert.False(File.Exists(Verified));
        Assert.True(File.Exists(Received));
    }

    [Fact]
    public async Task CI_never_auto_accepts_a_changed_snapshot()
    {
        await File.WriteAllTextAsync(Verified, "{\n  \"a\": 1\n}\n");

        await Assert.ThrowsAsync<SnapshotMismatchException>(() => Verify(new { a = 2 }, AcceptingOnCi));

        Assert.Equal("{\n  \"a\": 1\n}\n", await File.ReadAllTextAsync(Verified));
    }

    [Theory]
    [InlineData(null, null, false, false)]
    [InlineData("1", null, true, false)]
    [InlineData("true", null, true, false)]
    [InlineData("0", null, false, false)]
    [InlineData("1", "true", true, true)]
    [InlineData("1", "1", true, true)]
    [InlineData(null, "TRUE", false, true)]
    public void Environment_is_read_from_LEDGER_ACCEPT_SNAPSHOTS_and_CI(string? accept, string? ci, bool acceptRequested, bool isCi)
    {
        var environment = SnapshotEnvironment.From(name => name switch
        {
            "LEDGER_ACCEPT_SNAPSHOTS" => accept,
            "CI" => ci,
            _ => null,
        });

        Assert.Equal(acceptRequested, environment.AcceptRequested);
        Assert.Equal(isCi, environment.IsContinuousIntegration);
        Assert.Equal(acceptRequested && !isCi, environment.AutoAccept);
    }
}
