using System.Diagnostics;

namespace Ledger.Hosts.Tests;

/// <summary>
/// A network namespace joined to this one by a veth pair (<c>ip netns</c>, <c>ip link</c>; root only): a second "host" on
/// this machine, at <see cref="Address"/>, that reaches this namespace at <see cref="Gateway"/>. <see cref="CutAsync"/>
/// takes its end of the link down: from then on nothing it sent arrives and nothing sent to it is delivered or answered
/// — no FIN, no RST — as when a machine is powered off or its network cable is pulled. <see cref="RestoreAsync"/> brings it
/// back. Disposing deletes the namespace (and with it the pair).
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _inside;
    private readonly string _outside;

    private NetworkNamespace(string name, int subnet)
    {
        _name = name;
        _inside = name + "i";
        _outside = name + "o";
        Gateway = $"10.213.{subnet}.1";
        Address = $"10.213.{subnet}.2";
    }

    public string Name => _name;

    /// <summary>This namespace's side of the link (where a server here must listen for the namespace to reach it).</summary>
    public string Gateway { get; }

    /// <summary>The namespace's own address.</summary>
    public string Address { get; }

    /// <param name="tag">a short word (namespace and link names are at most 15 characters with the pid).</param>
    public static async Task<NetworkNamespace> CreateAsync(string tag)
    {
        if ((await RunStatusAsync("id", "-u")).Trim() != "0")
            throw new InvalidOperationException(
                "The vanished-host tests make network namespaces (ip netns), which needs root: run the tests as root (CI here runs as root). "
                + "Not run as root, this test cannot show that a vanished leader's lock is released.");
        var used = await RunAsync("ip", "-4", "-o", "addr");
        var subnet = Enumerable.Range(1 + Environment.ProcessId % 200, 250).Select(i => i % 250 + 1)
            .First(i => !used.Contains($"10.213.{i}.", StringComparison.Ordinal));
        var ns = new NetworkNamespace($"lh{Environment.ProcessId % 100000}{tag}", subnet);
        await RunAsync("ip", "netns", "add", ns._name);
        try
        {
            await RunAsync("ip", "link", "add", ns._outside, "type", "veth", "peer", "name", ns._inside);
            await RunAsync("ip", "link", "set", ns._inside, "netns", ns._name);
            await RunAsync("ip", "addr", "add", ns.Gateway + "/30", "dev", ns._outside);
            await RunAsync("ip", "link", "set", ns._outside, "up");
            await ns.InsideAsync("ip", "addr", "add", ns.Address + "/30", "dev", ns._inside);
            await ns.InsideAsync("ip", "link", "set", ns._inside, "up");
            await ns.InsideAsync("ip", "link", "set", "lo", "up");
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    public Task CutAsync() => InsideAsync("ip", "link", "set", _inside, "down");

    public Task RestoreAsync() => InsideAsync("ip", "link", "set", _inside, "up");

    private Task<string> InsideAsync(params string[] command) => RunAsync("ip", ["netns", "exec", _name, .. command]);

    private static async Task<string> RunStatusAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return stdout;
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("ip", "netns", "del", _name);
        }
        catch (InvalidOperationException)
        {
            // not created
        }
        try
        {
            await RunAsync("ip", "link", "del", _outside);
        }
        catch (InvalidOperationException)
        {
            // gone with the namespace
        }
    }
}
