namespace Ledger.ReadModels;

/// <summary>
/// When a process should forget the state part's folded agencies (<see cref="SakipStateProjection.ReleaseMemory"/>):
/// once its daemon has not run the projection for <see cref="After"/> (checked periodically: it lost the leadership, or
/// was never given it back after a rebuild elsewhere) and the projection has written no page for as long (a rebuild in
/// this process writes pages continuously, whatever the daemon's agent reports meanwhile). Pure: the caller supplies the
/// observations and the clock.
/// </summary>
public sealed class MemoryReleasePolicy(TimeSpan after)
{
    private DateTimeOffset? _notRunningSince;

    public TimeSpan After { get; } = after > TimeSpan.Zero ? after : throw new ArgumentOutOfRangeException(nameof(after), after, "Must be positive.");

    /// <summary>One observation; true when the memory should be released now.</summary>
    public bool Check(bool runningHere, int agenciesInMemory, TimeSpan sinceLastWrite, DateTimeOffset now)
    {
        if (runningHere)
        {
            _notRunningSince = null;
            return false;
        }
        _notRunningSince ??= now;
        return agenciesInMemory > 0 && now - _notRunningSince.Value >= After && sinceLastWrite >= After;
    }
}
