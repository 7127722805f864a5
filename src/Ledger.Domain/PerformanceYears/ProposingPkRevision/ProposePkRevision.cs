using Ledger.Domain.PerformanceYears.RevisingPk;

namespace Ledger.Domain.PerformanceYears.ProposingPkRevision;

// A PK perubahan as a workflow (issue 5 item 2): staff propose, the approver signs. The proposal is decided by the
// same rules as a direct PK perubahan (RevisingPkDecision), and approving decides it again on the CURRENT state, so
// a proposal overtaken by another revision is refused instead of silently undoing it.

/// <summary>Staff propose a PK perubahan; <paramref name="ProposalId"/> is new and arrives on the command.</summary>
public sealed record ProposePkRevision(Guid ProposalId, RevisePk Revision) : PerformanceYearCommand;

/// <summary>The approver signs a pending proposal: the approval and the <see cref="PkRevised"/> are appended together.</summary>
public sealed record ApprovePkRevision(Guid ProposalId) : PerformanceYearCommand;

public sealed record RejectPkRevision(Guid ProposalId, string Reason) : PerformanceYearCommand;

/// <summary>
/// A proposed PK perubahan: the requested targets as sent, and what they would change against PK version
/// <see cref="BasedOnVersion"/> (the version in force when it was proposed).
/// </summary>
public sealed record PkRevisionProposed(
    Guid ProposalId, int BasedOnVersion, string Reason, string Ground, DateOnly SignedOn, Signer Signer,
    IReadOnlyList<PkTarget> Targets, IReadOnlyList<PkTargetChanged> Changes) : IDomainEvent;

/// <summary>The approver signed the proposal; the same append carries the resulting <see cref="PkRevised"/> (version <see cref="Version"/>).</summary>
public sealed record PkRevisionApproved(Guid ProposalId, int Version) : IDomainEvent;

public sealed record PkRevisionRejected(Guid ProposalId, string Reason) : IDomainEvent;

/// <summary>A proposal as the state keeps it.</summary>
public sealed record PkRevisionProposal(PkRevisionProposed Proposed, ProposalStatus Status, int? Version, string? RejectReason)
{
    public Guid Id => Proposed.ProposalId;
}

public static class ProposingPkRevisionDecision
{
    /// <summary>
    /// Who signs a PK perubahan and who only proposes one: staff propose (the approver signs or rejects later); anyone
    /// else the endpoint lets through (the approver, the administrator) signs at once.
    /// </summary>
    public static PerformanceYearCommand ReviseAs(string? role, Guid proposalId, RevisePk revision) =>
        role == Users.Roles.Staff ? new ProposePkRevision(proposalId, revision) : revision;

    public static Decision Propose(PerformanceYearState state, ProposePkRevision command, PerformanceYearContext context)
    {
        if (state.PkProposal(command.ProposalId) is not null)
            return Decision.Refuse(RuleCodes.RevisionProposalDuplicateId, $"Proposal {command.ProposalId} already exists.");
        var decided = RevisingPkDecision.Decide(state, command.Revision, context);
        if (decided is not Decision.Accepted { Events: [PkRevised revised] }) return decided;
        return Decision.Accept(new PkRevisionProposed(command.ProposalId, state.CurrentPk!.Number, revised.Reason, revised.Ground,
            revised.SignedOn, revised.Signer, command.Revision.Targets, revised.Changes));
    }

    public static Decision Approve(PerformanceYearState state, ApprovePkRevision command, PerformanceYearContext context)
    {
        if (state.PkProposal(command.ProposalId) is not { } proposal) return Decision.Missing($"proposal {command.ProposalId}");
        if (proposal.Status != ProposalStatus.Pending)
            return Decision.Refuse(RuleCodes.RevisionProposalNotPending,
                $"Proposal {command.ProposalId} is already {ProposalStatusWire.Name(proposal.Status)}.");
        var p = proposal.Proposed;
        // Decided again on the current state first: a proposal that no longer changes anything is refused by the PK's own
        // rule (pk.perubahan.no-change). Then stale: another PK version was signed since and it moved a target this
        // proposal changes (its "before" is no longer true); approving would overwrite a signed change the proposer never saw.
        var revise = new RevisePk(p.Reason, Wire.TryParseGround(p.Ground, out var g) ? g : null, p.SignedOn, p.Signer, p.Targets);
        var decided = RevisingPkDecision.Decide(state, revise, context);
        if (decided is not Decision.Accepted { Events: [PkRevised revised] }) return decided;
        var current = state.CurrentPk!;
        if (current.Number != p.BasedOnVersion && p.Changes.FirstOrDefault(c => current.TargetFor(c.Indicator) != c.Before) is { } moved)
            return Decision.Refuse(RuleCodes.RevisionProposalStale,
                $"Proposal {p.ProposalId} was made against PK version {p.BasedOnVersion}; {moved.Indicator} has since changed " +
                $"({Text(moved.Before)} → {Text(current.TargetFor(moved.Indicator))} in version {current.Number}). Propose again.");
        return Decision.Accept(new PkRevisionApproved(p.ProposalId, revised.Version), revised);
    }

    public static Decision Reject(PerformanceYearState state, RejectPkRevision command)
    {
        if (state.PkProposal(command.ProposalId) is not { } proposal) return Decision.Missing($"proposal {command.ProposalId}");
        if (proposal.Status != ProposalStatus.Pending)
            return Decision.Refuse(RuleCodes.RevisionProposalNotPending,
                $"Proposal {command.ProposalId} is already {ProposalStatusWire.Name(proposal.Status)}.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.RevisionProposalRejectReasonRequired, "A rejection needs a reason.", "reason");
        return Decision.Accept(new PkRevisionRejected(command.ProposalId, command.Reason.Trim()));
    }

    private static string Text(decimal? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
