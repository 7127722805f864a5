using System.Collections.Immutable;

namespace Ledger.Domain.Users;

/// <summary>The four roles of the domain README: staff and approvers belong to one agency; inspektorat and admin to none.</summary>
public static class Roles
{
    public const string Staff = "staff", Approver = "approver", Inspektorat = "inspektorat", Admin = "admin";
    public static readonly ImmutableArray<string> All = [Staff, Approver, Inspektorat, Admin];
    public static bool IsAgencyBound(string role) => role is Staff or Approver;
}

public sealed record User(Guid Id, string Name, string? Nip, string Role, string? Agency, string TokenHash, bool Revoked);

/// <summary>Commands of the user directory (one stream, <c>users</c>). Tokens arrive already hashed: the plain token never reaches an event.</summary>
public abstract record UserCommand;
public sealed record CreateUser(Guid Id, string Name, string? Nip, string Role, string? Agency, string TokenHash, bool AgencyExists) : UserCommand;
public sealed record RevokeUserToken(Guid Id, string Reason) : UserCommand;

/// <summary>A new token for an existing user (a lost token cannot be recovered: only its hash is stored); the old one stops working.</summary>
public sealed record IssueUserToken(Guid Id, string TokenHash, string Reason) : UserCommand;

public sealed record UserCreated(Guid Id, string Name, string? Nip, string Role, string? Agency, string TokenHash) : IDomainEvent;
public sealed record UserTokenRevoked(Guid Id, string Reason) : IDomainEvent;
public sealed record UserTokenIssued(Guid Id, string TokenHash, string Reason) : IDomainEvent;

public sealed record UserDirectoryState(ImmutableDictionary<Guid, User> Users)
{
    public static UserDirectoryState Initial { get; } = new(ImmutableDictionary<Guid, User>.Empty);

    public UserDirectoryState Evolve(IDomainEvent e) => e switch
    {
        UserCreated c => this with { Users = Users.SetItem(c.Id, new User(c.Id, c.Name, c.Nip, c.Role, c.Agency, c.TokenHash, false)) },
        UserTokenRevoked r when Users.TryGetValue(r.Id, out var u) => this with { Users = Users.SetItem(r.Id, u with { Revoked = true }) },
        UserTokenIssued i when Users.TryGetValue(i.Id, out var u) => this with { Users = Users.SetItem(i.Id, u with { TokenHash = i.TokenHash }) },
        _ => this,
    };
}

public static class UserDirectory
{
    public const string StreamName = "users";

    public static Decision Decide(UserDirectoryState state, UserCommand command) => command switch
    {
        CreateUser c when string.IsNullOrWhiteSpace(c.Name) => Decision.Refuse(RuleCodes.UserNameRequired, "A user needs a name.", "name"),
        CreateUser c when !Roles.All.Contains(c.Role) =>
            Decision.Refuse(RuleCodes.UserRoleInvalid, $"Role must be one of {string.Join(", ", Roles.All)}.", "role"),
        CreateUser c when Roles.IsAgencyBound(c.Role) && string.IsNullOrWhiteSpace(c.Agency) =>
            Decision.Refuse(RuleCodes.UserAgencyRequired, $"A {c.Role} belongs to one agency: give 'agency'.", "agency"),
        CreateUser c when !Roles.IsAgencyBound(c.Role) && c.Agency is not null =>
            Decision.Refuse(RuleCodes.UserAgencyNotAllowed, $"A {c.Role} is not bound to an agency.", "agency"),
        CreateUser { Agency: not null, AgencyExists: false } c => Decision.Missing($"agency '{c.Agency}'"),
        CreateUser c when state.Users.ContainsKey(c.Id) => Decision.Refuse(RuleCodes.UserAlreadyExists, "That user id exists.", "id"),
        CreateUser c => Decision.Accept(new UserCreated(c.Id, c.Name.Trim(), c.Nip, c.Role, c.Agency, c.TokenHash)),
        RevokeUserToken r when !state.Users.ContainsKey(r.Id) => Decision.Missing($"user '{r.Id}'"),
        RevokeUserToken r when string.IsNullOrWhiteSpace(r.Reason) => Decision.Refuse(RuleCodes.UserRevokeReasonRequired, "Say why the token is revoked.", "reason"),
        RevokeUserToken r when state.Users[r.Id].Revoked => Decision.Accept(), // already revoked: nothing to write
        RevokeUserToken r => Decision.Accept(new UserTokenRevoked(r.Id, r.Reason)),
        IssueUserToken i when !state.Users.ContainsKey(i.Id) => Decision.Missing($"user '{i.Id}'"),
        IssueUserToken i when string.IsNullOrWhiteSpace(i.Reason) =>
            Decision.Refuse(RuleCodes.UserTokenReasonRequired, "Say why the user needs a new token.", "reason"),
        // A revoked user stays revoked: a new token would quietly undo the revocation. Create a new user instead.
        IssueUserToken i when state.Users[i.Id].Revoked =>
            Decision.Refuse(RuleCodes.UserRevoked, "This user's token was revoked; a revoked user gets no new token (create a new user).", "id"),
        IssueUserToken i => Decision.Accept(new UserTokenIssued(i.Id, i.TokenHash, i.Reason.Trim())),
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };
}
