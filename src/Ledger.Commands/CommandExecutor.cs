using Ledger.Storage;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Commands;

/// <summary>
/// The aggregate workflow without HTTP, on Marten: Marten folds the stream with the live aggregation of
/// <see cref="Folded{TState}"/> (its version included), the pure decision runs, and the events are appended with the
/// version they were decided on as Marten's expected version, so Marten's append function refuses them (MT003) when the
/// stream moved meanwhile. Not <c>FetchForWriting</c>: on a stream that does not exist yet it makes a "start stream"
/// action, which Marten 9.62 in Quick mode inserts row by row with the client's clock, and the audit layer refuses any
/// recorded time that is not the database's (docs/architecture.md). An append with an expected version always goes
/// through <c>mt_quick_append_events</c>, new stream or not. With an If-Match version the stream must be at it, both before deciding
/// and at the append (412 otherwise, never retried: the client decided on that version). Without one, a lost race
/// (<see cref="AppendRace.IsLost"/>: a moved stream, two creators of one stream, a lock or time conflict) is fetched and
/// decided again on the new state, up to <see cref="CommandPipelineOptions.MaxAttempts"/> attempts, then 409.
/// </summary>
public static class CommandExecutor
{
    public static async Task<CommandOutcome> ExecuteAsync<TCommand, TState>(
        CommandHandlerDefinition<TCommand, TState> handler, TCommand command, IDocumentStore store, StreamLoader reader,
        CommandPipelineOptions options, CommandMetadata metadata, long? ifMatch, ILogger? log = null, CancellationToken ct = default)
    {
        log ??= NullLogger.Instance;
        var stream = handler.Stream(command);
        var lastExpected = 0L;
        var lastActual = 0L;
        metadata = metadata with { Agency = metadata.Agency ?? handler.Tenant(command) };

        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            await using var session = store.LightweightSession();
            metadata.ApplyTo(session);
            var folded = await session.Events.AggregateStreamAsync<Folded<TState>>(stream, token: ct);
            var version = folded?.Version ?? 0;
            if (ifMatch is { } required && required != version)
                return new CommandFailure.PreconditionFailed(stream, required, version);

            var state = folded is null ? handler.Initial : folded.State;
            if (handler.Prepare is { } prepare) state = prepare(state, command);

            var decision = await handler.DecideAsync(state, command, reader, ct);
            IReadOnlyList<object> events;
            switch (decision)
            {
                case Decision.NotFound d: return new CommandFailure.NotFound(d.What);
                case Decision.Refused d: return new CommandFailure.Refused(d.Rule, d.Message, d.Field);
                case Decision.Conflicted d: return new CommandFailure.Conflict(d.Rule, d.Message);
                case Decision.Accepted { Events.Count: 0 }: return new CommandSucceeded(stream, version, []);
                case Decision.Accepted d: events = d.Events; break;
                default: throw new InvalidOperationException($"Unknown decision {decision}.");
            }

            var ids = new List<Guid>(events.Count);
            var built = new List<object>(events.Count);
            foreach (var data in events)
            {
                var e = session.Events.BuildEvent(data);
                e.Id = Guid.CreateVersion7(); // time-ordered ids: the response names the events before Marten would
                ids.Add(e.Id);
                built.Add(e);
            }
            session.Events.Append(stream, version + events.Count, built);
            try
            {
                await session.SaveChangesAsync(ct);
                return new CommandSucceeded(stream, version + events.Count, ids) { Events = events };
            }
            catch (Exception e) when (AppendRace.IsLost(e))
            {
                var actual = await reader.VersionAsync(stream, ct);
                if (ifMatch is not null) return new CommandFailure.PreconditionFailed(stream, ifMatch.Value, actual);
                (lastExpected, lastActual) = (version, actual);
                log.LogDebug("Attempt {Attempt} on {Stream} lost a race (expected {Expected}, actual {Actual}); deciding again.",
                    attempt, stream, version, actual);
            }
            // Jitter, growing with the attempt, so that writers that collided do not collide again in lockstep.
            if (attempt < options.MaxAttempts) await Task.Delay(Random.Shared.Next(1, 10 * attempt + 1), ct);
        }

        log.LogWarning("{Stream} lost {Attempts} races in a row (expected {Expected}, actual {Actual}); answering 409.",
            stream, options.MaxAttempts, lastExpected, lastActual);
        return new CommandFailure.RaceLost(stream, lastExpected, lastActual, options.MaxAttempts);
    }
}
