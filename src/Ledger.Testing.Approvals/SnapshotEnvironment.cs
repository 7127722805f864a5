namespace Ledger.Testing.Approvals;

/// <summary>
/// Whether missing or changed snapshots may be written as verified. Accepting needs
/// <c>LEDGER_ACCEPT_SNAPSHOTS=1</c> and is never done in CI (<c>CI=true</c>), whatever else is set.
/// </summary>
public sealed record SnapshotEnvironment(bool AcceptRequested, bool IsContinuousIntegration)
{
    public const string AcceptVariable = "LEDGER_ACCEPT_SNAPSHOTS";
    public const string CiVariable = "CI";

    public bool AutoAccept => AcceptRequested && !IsContinuousIntegration;

    public static SnapshotEnvironment FromProcess() => From(System.Environment.GetEnvironmentVariable);

    public static SnapshotEnvironment From(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return new SnapshotEnvironment(IsOn(getVariable(AcceptVariable)), IsOn(getVariable(CiVariable)));
    }

    private static bool IsOn(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
}
