using System.Text.RegularExpressions;

namespace Ledger.Domain.Agencies.RegisteringAgency;

/// <summary>Register an agency. <paramref name="Code"/> is its stable slug, e.g. <c>bkpsdm-surakarta</c>.</summary>
public sealed record RegisterAgency(string Code, string Name) : AgencyCommand;

public sealed record AgencyRegistered(string Code, string Name) : IDomainEvent;

public static partial class RegisteringAgencyDecision
{
    // The code becomes part of stream names (agency-{code}, year-{code}-{year}), so keep it a plain slug.
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Slug();

    public static Decision Decide(AgencyState state, RegisterAgency command)
    {
        if (state.Exists)
            return Decision.Refuse(RuleCodes.AgencyAlreadyRegistered, $"Agency '{state.Code}' is already registered.", "code");
        if (string.IsNullOrWhiteSpace(command.Code) || command.Code.Length > 100 || !Slug().IsMatch(command.Code))
            return Decision.Refuse(RuleCodes.AgencyCodeInvalid,
                "An agency code is lowercase letters and digits separated by single hyphens, at most 100 characters.", "code");
        if (string.IsNullOrWhiteSpace(command.Name))
            return Decision.Refuse(RuleCodes.AgencyNameRequired, "An agency needs a name.", "name");
        return Decision.Accept(new AgencyRegistered(command.Code, command.Name.Trim()));
    }
}
