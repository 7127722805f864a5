using System.Text.Json;

namespace Ledger.Api.Tests;

/// <summary>
/// The service's runtime settings that its measured figures depend on (docs/performance.md, "Thread-pool spinning off"):
/// they live in the runtimeconfig.json the build writes beside Ledger.Api.dll, which `dotnet run`, `dotnet Ledger.Api.dll`
/// and the test hosts all start from.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void TheServicesRuntimeConfig_TurnsThreadPoolSpinningOff_AndKeepsServerGc()
    {
        var path = Path.ChangeExtension(typeof(Program).Assembly.Location, ".runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        // The name the runtime's portable thread pool reads (AppContext) for its workers' spin before they block.
        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spin),
            "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit is not set");
        Assert.Equal(0, spin.GetInt32());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
    }
}
