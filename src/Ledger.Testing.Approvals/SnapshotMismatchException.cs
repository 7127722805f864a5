namespace Ledger.Testing.Approvals;

/// <summary>The received snapshot differs from the verified one, or there is no verified one. Framework neutral.</summary>
public sealed class SnapshotMismatchException : Exception
{
    public SnapshotMismatchException(string message, string verifiedPath, string receivedPath) : base(message)
    {
        VerifiedPath = verifiedPath;
        ReceivedPath = receivedPath;
    }

    public string VerifiedPath { get; }
    public string ReceivedPath { get; }
}
