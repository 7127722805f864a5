using System.Text.RegularExpressions;

namespace Ledger.Testing.Http;

/// <summary>Expectations on one response header (response and content headers are both searched, case-insensitively).</summary>
public sealed class HeaderExpectation
{
    private readonly Scenario _scenario;
    private readonly string _name;

    internal HeaderExpectation(Scenario scenario, string name)
    {
        _scenario = scenario;
        _name = name;
    }

    /// <summary>The header is present exactly once with exactly this value (ordinal comparison).</summary>
    public HeaderExpectation ShouldBe(string expected)
    {
        _scenario.AddExpectation(r =>
        {
            var values = r.HeaderValues(_name);
            if (values.Count == 1 && values[0] == expected) return null;
            return $"Expected header '{_name}' to be '{expected}', but {DescribeValues(values)}";
        });
        return this;
    }

    /// <summary>The header is present (at least one value).</summary>
    public HeaderExpectation ShouldHaveValues()
    {
        _scenario.AddExpectation(r =>
            r.HeaderValues(_name).Count > 0 ? null : $"Expected header '{_name}' to be present, but it was not written");
        return this;
    }

    /// <summary>The header has a single value matching the regular expression.</summary>
    public HeaderExpectation ShouldMatch(string pattern)
    {
        _scenario.AddExpectation(r =>
        {
            var values = r.HeaderValues(_name);
            if (values.Count == 1 && Regex.IsMatch(values[0], pattern)) return null;
            return $"Expected header '{_name}' to match /{pattern}/, but {DescribeValues(values)}";
        });
        return this;
    }

    /// <summary>The header is absent.</summary>
    public HeaderExpectation ShouldNotBeWritten()
    {
        _scenario.AddExpectation(r =>
        {
            var values = r.HeaderValues(_name);
            return values.Count == 0 ? null : $"Expected header '{_name}' not to be written, but {DescribeValues(values)}";
        });
        return this;
    }

    private static string DescribeValues(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "it was not written",
        1 => $"it was '{values[0]}'",
        _ => $"it had {values.Count} values: {string.Join(" | ", values.Select(v => $"'{v}'"))}",
    };
}
