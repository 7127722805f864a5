using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Renstras.ProposingRevision;

// A perubahan Renstra as a workflow (issue 5 item 2): staff propose, the approver signs. Same rules as a direct
// revision (RevisingRenstraDecision); approving decides again on the current state.

public sealed record ProposeRenstraRevision(Guid ProposalId, ReviseRenstra Revision) : RenstraCommand;

public sealed record ApproveRenstraRevision(Guid ProposalId) : RenstraCommand;

public sealed record RejectRenstraRevision(Guid ProposalId, string Reason) : RenstraCommand;

/// <summary>The requested changes as sent, and what they would change against revision <see cref="BasedOnRevision"/>.</summary>
public sealed record RenstraRevisionProposed(
    Guid ProposalId, int BasedOnRevision, string Reason, string? LegalBasis, IReadOnlyList<RenstraTargetChange> Requested,
    IReadOnlyList<RenstraTargetRevised> Changes) : IDomainEvent;

/// <summary>The approver signed; the same append carries the resulting <see cref="RenstraRevised"/>.</summary>
public sealed record RenstraRevisionApproved(Guid ProposalId, int RevisionNumber) : IDomainEvent;

public sealed record RenstraRevisionRejected(Guid ProposalId, string Reason) : IDomainEvent;

public sealed record RenstraRevisionProposal(RenstraRevisionProposed Proposed, ProposalStatus Status, int? RevisionNumber, string? RejectReason)
{
    public Guid Id => Proposed.ProposalId;
}

public static class ProposingRenstraRevisionDecision
{
    /// <summary>
    /// Who revises a Renstra and who only proposes: staff propose (the approver approves or rejects later); the approver
    /// and the administrator (who sets plans up) revise at once.
    /// </summary>
    public static RenstraCommand ReviseAs(string? role, Guid proposalId, RevisingRenstra.ReviseRenstra revision) =>
        role == Users.Roles.Staff ? new ProposeRenstraRevision(proposalId, revision) : revision;

    public static Decision Propose(RenstraState state, ProposeRenstraRevision command)
    {
        if (state.Proposal(command.ProposalId) is not null)
            return Decision.Refuse(RuleCodes.RevisionProposalDuplicateId, $"Proposal {command.ProposalId} already exists.");
        var decided = RevisingRenstraDecision.Decide(state, command.Revision);
        if (decided is not Decision.Accepted { Events: [RenstraRevised revised] }) return decided;
        return Decision.Accept(new RenstraRevisionProposed(command.ProposalId, state.Revisions, revised.Reason, revised.LegalBasis,
            command.Revision.Changes, revised.Changes));
    }

    public static Decision Approve(RenstraState state, ApproveRenstraRevision command)
    {
        if (state.Proposal(command.ProposalId) is not { } proposal) return Decision.Missing($"proposal {command.ProposalId}");
        if (proposal.Status != ProposalStatus.Pending)
            return Decision.Refuse(RuleCodes.RevisionProposalNotPending,
                $"Proposal {command.ProposalId} is already {ProposalStatusWire.Name(proposal.Status)}.");
        var p = proposal.Proposed;
        // As for the PK: decided again first (a proposal that changes nothing any more is renstra.revision.no-change),
        // then refused as stale when a later revision moved one of the targets it changes.
        var decided = RevisingRenstraDecision.Decide(state, new ReviseRenstra(p.Reason, p.LegalBasis, p.Requested));
        if (decided is not Decision.Accepted { Events: [RenstraRevised revised] }) return decided;
        if (state.Revisions != p.BasedOnRevision &&
            p.Changes.FirstOrDefault(c => state.Indicator(c.Indicator)?.TargetFor(c.Year) != c.Before) is { } moved)
            return Decision.Refuse(RuleCodes.RevisionProposalStale,
                $"Proposal {p.ProposalId} was made against Renstra revision {p.BasedOnRevision}; the {moved.Year} target of " +
                $"{moved.Indicator} has changed since (revision {state.Revisions}). Propose again.");
        return Decision.Accept(new RenstraRevisionApproved(p.ProposalId, revised.RevisionNumber), revised);
    }

    public static Decision Reject(RenstraState state, RejectRenstraRevision command)
    {
        if (state.Proposal(command.ProposalId) is not { } proposal) return Decision.Missing($"proposal {command.ProposalId}");
        if (proposal.Status != ProposalStatus.Pending)
            return Decision.Refuse(RuleCodes.RevisionProposalNotPending,
                $"Proposal {command.ProposalId} is already {ProposalStatusWire.Name(proposal.Status)}.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.RevisionProposalRejectReasonRequired, "A rejection needs a reason.", "reason");
        return Decision.Accept(new RenstraRevisionRejected(command.ProposalId, command.Reason.Trim()));
    }
}
