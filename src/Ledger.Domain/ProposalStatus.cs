namespace Ledger.Domain;

/// <summary>Where a revision proposal stands: pending until the approver signs (approves) or rejects it.</summary>
public enum ProposalStatus { Pending, Approved, Rejected }

public static class ProposalStatusWire
{
    public static string Name(ProposalStatus status) => status switch
    {
        ProposalStatus.Pending => "pending",
        ProposalStatus.Approved => "approved",
        ProposalStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
