using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Commands;

/// <summary>
/// The aggregate workflow without HTTP: load the stream and fold it, decide, append at exactly the loaded version.
/// With an If-Match version the stream must be at it, both before deciding and at the append (412 otherwise, never
/// retried: the client decided on that version). Without one, a lost race is reloaded and decided again on the new
/// state, up to <see cref="CommandPipelineOptions.MaxAttempts"/> attempts.
/// </summary>
public static class CommandExecutor
{
    public static async Task<CommandOutcome> ExecuteAsync<TCommand, TState>(
        CommandHandlerDefinition<TCommand, TState> handler, TCommand command, IEventStore store, CommandPipelineOptions options,
        AppendMetadata metadata, long? ifMatch, ILogger? log = null, CancellationToken ct = default)
    {
        log ??= NullLogger.Instance;
        var stream = handler.Stream(command);
        var lastExpected = 0L;
        var lastActual = 0L;

        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var recorded = await store.ReadStreamAsync(stream, StreamReadOptions.Whole, ct);
            var version = recorded.Count == 0 ? 0 : recorded[^1].Version;
            if (ifMatch is { } required && required != version)
                return new CommandFailure.PreconditionFailed(stream, required, version);

            var state = handler.Initial;
            foreach (var e in recorded) state = handler.Evolve(state, options.Events.Deserialize(e, options.Json));

            var decision = await handler.DecideAsync(state, command, store, ct);
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

            var data = events.Select(e => options.Events.Serialize(Guid.CreateVersion7(), e, options.Json)).ToList();
            var expected = version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version);
            try
            {
                var result = await store.AppendAsync(
                    new AppendRequest(stream, handler.StreamType, handler.Tenant(command), expected, data, metadata), ct);
                return new CommandSucceeded(stream, result.Version, data.Select(d => d.Id).ToList()) { Events = events };
            }
            catch (WrongExpectedVersionException e) when (ifMatch is not null)
            {
                return new CommandFailure.PreconditionFailed(stream, ifMatch.Value, e.ActualVersion);
            }
            catch (WrongExpectedVersionException e)
            {
                (lastExpected, lastActual) = (version, e.ActualVersion);
                log.LogDebug("Attempt {Attempt} on {Stream} lost a race (expected {Expected}, actual {Actual}); deciding again.",
                    attempt, stream, version, e.ActualVersion);
            }
            // Jitter, growing with the attempt, so that writers that collided do not collide again in lockstep.
            if (attempt < options.MaxAttempts) await Task.Delay(Random.Shared.Next(1, 10 * attempt + 1), ct);
        }

        log.LogWarning("{Stream} lost {Attempts} races in a row (expected {Expected}, actual {Actual}); answering 409.",
            stream, options.MaxAttempts, lastExpected, lastActual);
        return new CommandFailure.RaceLost(stream, lastExpected, lastActual, options.MaxAttempts);
    }
}
