using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ledger.Bench;

/// <summary>
/// How the open loop's dispatcher waits for the next scheduled arrival (<c>http-load --reads-only</c>).
/// <para>
/// <see cref="Precise"/> (the default): a dedicated thread sleeps with <c>nanosleep</c> until the arrival (Linux; the
/// kernel's timer slack is 50 µs), so requests leave at their scheduled times, not in bursts. <see cref="Delay"/> (the
/// dispatcher before 2026-12-06, kept for side-by-side runs through <c>LEDGER_BENCH_DISPATCH=delay</c>): an async loop
/// around <c>Task.Delay(1)</c>, which wakes every 1–2 ms (later when the machine is busy) and then sends every request
/// that came due meanwhile at once. Either way a request's latency runs from its scheduled arrival, so the
/// dispatcher's lag counts against the service; with the coarse clock it was 2 ms at the median and 5–8 ms at p99 of
/// every request at 2 000/s, and its bursts queued in the service as well (docs/performance.md "The open loop's
/// dispatcher made precise").
/// </para>
/// </summary>
public enum ArrivalClock
{
    Precise,
    Delay,
}

public static class ArrivalClocks
{
    public static ArrivalClock FromEnvironment() =>
        Environment.GetEnvironmentVariable("LEDGER_BENCH_DISPATCH") is { } v && v.Equals("delay", StringComparison.OrdinalIgnoreCase)
            ? ArrivalClock.Delay
            : OperatingSystem.IsLinux() ? ArrivalClock.Precise : ArrivalClock.Delay;

    public static string Describe(ArrivalClock clock) => clock switch
    {
        ArrivalClock.Precise => "a dispatcher thread that sleeps with nanosleep until each arrival",
        _ => "an async dispatcher around Task.Delay(1) (LEDGER_BENCH_DISPATCH=delay)",
    };

    /// <summary>Blocks the calling thread until <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="timestamp"/> (at least).</summary>
    public static void SleepUntil(long timestamp)
    {
        while (true)
        {
            var left = timestamp - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            var ns = (long)(left * (1_000_000_000.0 / Stopwatch.Frequency));
            var spec = new Timespec { Seconds = ns / 1_000_000_000, Nanoseconds = ns % 1_000_000_000 };
            nanosleep(in spec, IntPtr.Zero); // an interrupted sleep (EINTR) just loops
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc.so.6", SetLastError = true)] // glibc's soname (the bench runs on Debian)
    private static extern int nanosleep(in Timespec request, IntPtr remaining);
}
