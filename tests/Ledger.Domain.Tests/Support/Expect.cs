using Ledger.Domain;

namespace Ledger.Domain.Tests.Support;

internal static class Expect
{
    public static IReadOnlyList<IDomainEvent> Accepted(Decision decision)
    {
        var accepted = Assert.IsType<Decision.Accepted>(decision);
        Assert.NotEmpty(accepted.Events);
        return accepted.Events;
    }

    public static T Single<T>(Decision decision) where T : IDomainEvent =>
        Assert.IsType<T>(Assert.Single(Accepted(decision)));

    public static Decision.Refused Refused(Decision decision, string rule)
    {
        var refused = Assert.IsType<Decision.Refused>(decision);
        Assert.Equal(rule, refused.Rule);
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
        return refused;
    }

    public static Decision.NotFound NotFound(Decision decision, string whatContains)
    {
        var notFound = Assert.IsType<Decision.NotFound>(decision);
        Assert.Contains(whatContains, notFound.What, StringComparison.Ordinal);
        return notFound;
    }
}
