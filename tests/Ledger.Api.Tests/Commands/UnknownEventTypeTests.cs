using Ledger.Api.Tests.Writes;
using Ledger.Storage;
using static Ledger.Api.Tests.Commands.CommandTestKit;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// A stream holding an event type name no code maps (e.g. written by a newer version, or renamed): it cannot be decided on
/// without all its facts, so a write on it is a loud 500, never a 4xx and never a decision on part of the stream
/// (ported from Ledger.Commands.Tests). Its own database: the log holds an event the rest of the service cannot read.
/// </summary>
public sealed class UnknownEventTypeTests(HookedApiFactory f) : IClassFixture<HookedApiFactory>
{
    private const string UnknownType = "realization.renamed.v9";

    [Fact]
    public async Task RecordRealization_StreamHoldsAnUnknownEventType_Returns500AndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", Realization("I2", 75m));
        await f.AppendRawAsync(s.YearStream, UnknownType, """{"indicator":"I2","period":"Y"}""");

        var write = await s.SendAsync(s.Staff, "realizations", Realization("I6", 0.1m));

        Assert.Equal(500, write.Status);
        Assert.Equal(["realization.recorded.v1", UnknownType], (await f.LogAsync(s.YearStream)).Select(e => e.Type));
        // The 500 is the fold refusing the stream, named in the service's log, not some other failure.
        Assert.Contains(f.LoggedExceptions, e => Chain(e).OfType<Marten.Exceptions.UnknownEventTypeException>().Any(u => (u.EventTypeName + " " + u.Message).Contains(UnknownType, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReadStream_UnknownEventType_ThrowsNamingIt()
    {
        var s = await Surakarta.RegisterAsync(f);
        await f.AppendRawAsync(s.YearStream, UnknownType, "{}");

        var e = await Assert.ThrowsAsync<Marten.Exceptions.UnknownEventTypeException>(
            () => new StreamLoader(f.Store, f.Database.Owner).ReadAsync(s.YearStream));

        Assert.Contains(UnknownType, e.EventTypeName + " " + e.Message);
        // The bounded read of several streams (its own statement, not Marten's) refuses it the same way.
        var many = await Assert.ThrowsAsync<Marten.Exceptions.UnknownEventTypeException>(
            () => new StreamLoader(f.Store, f.Database.Owner).ReadManyAsync([(s.YearStream, StreamBound.Whole)]));
        Assert.Contains(UnknownType, many.EventTypeName + " " + many.Message);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }
}
