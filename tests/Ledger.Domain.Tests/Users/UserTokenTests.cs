using Ledger.Domain.Tests.Support;
using Ledger.Domain.Users;

namespace Ledger.Domain.Tests.Users;

/// <summary>Issuing a new token for an existing user (issue 12 item 7): the old hash stops authenticating, the user stays.</summary>
public class UserTokenTests
{
    private static readonly Guid Id = Guid.NewGuid();

    private static UserDirectoryState WithUser(bool revoked = false)
    {
        var state = UserDirectoryState.Initial.Evolve(new UserCreated(Id, "Perencana", null, Roles.Staff, "bkpsdm-surakarta", "old-hash"));
        return revoked ? state.Evolve(new UserTokenRevoked(Id, "pindah")) : state;
    }

    [Fact]
    public void Given_a_user_When_issuing_a_token_Then_its_hash_is_replaced_and_the_user_is_the_same()
    {
        var issued = Expect.Single<UserTokenIssued>(UserDirectory.Decide(WithUser(), new IssueUserToken(Id, "new-hash", " Token hilang ")));
        Assert.Equal(new UserTokenIssued(Id, "new-hash", "Token hilang"), issued);
        var user = WithUser().Evolve(issued).Users[Id];
        Assert.Equal("new-hash", user.TokenHash);
        Assert.Equal(("Perencana", Roles.Staff, "bkpsdm-surakarta", false), (user.Name, user.Role, user.Agency, user.Revoked));
    }

    [Fact]
    public void Given_no_reason_an_unknown_or_a_revoked_user_When_issuing_Then_refused()
    {
        Expect.Refused(UserDirectory.Decide(WithUser(), new IssueUserToken(Id, "h", " ")), RuleCodes.UserTokenReasonRequired);
        Expect.NotFound(UserDirectory.Decide(WithUser(), new IssueUserToken(Guid.NewGuid(), "h", "x")), "user");
        Expect.Refused(UserDirectory.Decide(WithUser(revoked: true), new IssueUserToken(Id, "h", "x")), RuleCodes.UserRevoked);
    }
}
