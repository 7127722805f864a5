using JasperFx.CommandLine;
using Ledger.Api.Infrastructure;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 12, item 7: <c>-- verfy</c> (a misspelt command) silently started a second web server, and <c>--help</c> exited
/// 2. Program now classifies the first argument before building the host.
/// </summary>
public sealed class Defect_CommandLine
{
    [Theory]
    [InlineData(new string[0], CommandLine.Invocation.Serve)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5000" }, CommandLine.Invocation.Serve)]
    [InlineData(new[] { "--Ledger:Demo=true" }, CommandLine.Invocation.Serve)]
    [InlineData(new[] { "verify" }, CommandLine.Invocation.LedgerVerb)]
    [InlineData(new[] { "rebuild", "sakip" }, CommandLine.Invocation.LedgerVerb)]
    [InlineData(new[] { "codegen", "write" }, CommandLine.Invocation.JasperFxVerb)]
    [InlineData(new[] { "projections" }, CommandLine.Invocation.JasperFxVerb)]
    [InlineData(new[] { "help" }, CommandLine.Invocation.JasperFxVerb)]
    [InlineData(new[] { "--help" }, CommandLine.Invocation.Help)]
    [InlineData(new[] { "-h" }, CommandLine.Invocation.Help)]
    [InlineData(new[] { "verfy" }, CommandLine.Invocation.Unknown)]
    [InlineData(new[] { "Verify" }, CommandLine.Invocation.Unknown)]
    [InlineData(new[] { "serve" }, CommandLine.Invocation.Unknown)]
    public void Classify_FirstArgument(string[] args, CommandLine.Invocation expected) =>
        Assert.Equal(expected, CommandLine.Classify(args));

    [Fact]
    public void JasperFxVerbs_AreExactlyTheCommandsJasperFxFindsInTheServicesAssemblies()
    {
        _ = typeof(Marten.DocumentStore).Assembly; // loaded, as in the service
        _ = typeof(Wolverine.WolverineOptions).Assembly;
        _ = typeof(Wolverine.Http.WolverineHttpOptions).Assembly;
        var factory = new CommandFactory();
        factory.RegisterCommandsFromExtensionAssemblies();
        var found = factory.AllCommandTypes().Select(CommandFactory.CommandNameFor).Append("help").ToHashSet(StringComparer.Ordinal);

        Assert.Equal(found.Order(StringComparer.Ordinal), CommandLine.JasperFxVerbs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Usage_NamesLedgersVerbsAndJasperFxs()
    {
        Assert.Contains("verify", CommandLine.UsageText, StringComparison.Ordinal);
        Assert.Contains("rebuild", CommandLine.UsageText, StringComparison.Ordinal);
        Assert.Contains("projections", CommandLine.UsageText, StringComparison.Ordinal);
    }
}
