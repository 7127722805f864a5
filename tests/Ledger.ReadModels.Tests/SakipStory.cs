using Ledger.Domain;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// A SAKIP story per agency, as the service's commands would append it (one append = one command): agency and rating
/// scale; a Renstra 2021–2026 with indicators (one added without yearly targets) and a revision proposed and approved;
/// per year a budget, PK murni, realizations per quarter, spending, a PK perubahan proposed and approved and another
/// rejected, an APBD perubahan, corrections, claims; the first year closed (in either shape of the close), then corrected after the close. It has every
/// kind of history entry, and every state table's dirtiness rule.
/// </summary>
internal static class SakipStory
{
    public const int Indicators = 6;
    private static string Code(int i) => $"IK{i:D2}";

    public static string Agency(int n, string run) => $"dinas-{run}-{n}";

    /// <summary>The appends of one agency, in order: (stream, events of one command).</summary>
    public static IEnumerable<(string Stream, IDomainEvent[] Events)> Appends(string a, int firstYear = 2022, int years = 2)
    {
        var rnd = new Random(HashCode.Combine(a.Length, a[^1]));
        yield return ($"agency-{a}", [new AgencyRegistered(a, "Dinas " + a)]);
        yield return ($"agency-{a}", [new RatingScaleSet("Permendagri 86/2017", 2021,
        [
            new RatingBandData("Sangat Tinggi", 90, false, null, false), new RatingBandData("Tinggi", 75, false, 90, true),
            new RatingBandData("Sedang", 65, false, 75, true), new RatingBandData("Rendah", 50, false, 65, true),
            new RatingBandData("Sangat Rendah", null, false, 50, true),
        ])]);
        var renstra = $"renstra-{a}-2021";
        yield return (renstra, [new RenstraCreated(a, 2021, 2026, "Renstra " + a, null, null)]);
        for (var i = 0; i < Indicators; i++)
            yield return (renstra, [new IndicatorAdded(Code(i), "Indikator " + i, "sasaran", "IKU", null, "%", i % 3 == 2 ? "lower" : "higher",
                "inverse-2t", i % 2 == 0 ? "sum" : "last", 50, 2020, [.. Enumerable.Range(2021, 6).Select(y => new YearTarget(y, 60 + i + (y - 2021) * 2))], 80)]);
        // Added without yearly targets: its history entry needs the Renstra's period (read from the log).
        yield return (renstra, [new IndicatorAdded("IK99", "Indeks tanpa target", "sasaran", "IKU", null, "nilai", "higher", "inverse-2t", "annual", null, null, [], null)]);
        var renstraProposal = Guid.NewGuid();
        yield return (renstra, [new RenstraRevisionProposed(renstraProposal, 0, "Penyesuaian RPJMD", "Perwali 12/2023",
            [new RenstraTargetChange(Code(0), firstYear, 70)], [new RenstraTargetRevised(Code(0), firstYear, 60 + (firstYear - 2021) * 2, 70)])]);
        yield return (renstra, [new RenstraRevisionApproved(renstraProposal, 1),
            new RenstraRevised(1, "Penyesuaian RPJMD", "Perwali 12/2023", [new RenstraTargetRevised(Code(0), firstYear, 60 + (firstYear - 2021) * 2, 70)])]);

        var signer = new Signer("Kepala " + a, "19800412 200003 1 003", "Kepala Dinas");
        for (var year = firstYear; year < firstYear + years; year++)
        {
            var s = $"year-{a}-{year}";
            yield return (s, [Budget()]);
            var targets = Targets();
            yield return (s, [Pk(a, year)]);
            foreach (var q in new[] { "Q1", "Q2", "Q3", "Q4" })
            {
                for (var i = 0; i < Indicators; i++)
                    yield return (s, [new RealizationRecorded(Code(i), q, 40 + rnd.Next(0, 4000) / 100m, null, null, null, null, q == "Q4" && i == 1 ? 100 : null)]);
                for (var k = 0; k < 4; k++)
                    yield return (s, [new SpendingRecorded($"P{k % 3}.{k % 3}", 100_000_000m + rnd.Next(0, 100) * 1_000_000m, q, 0, 1_000_000_000m, false)]);
            }
            var approved = Guid.NewGuid();
            var changed = new[] { new PkTargetChanged(Code(1), 62, 66) };
            var revised = targets.Select(t => t.Indicator == Code(1) ? t with { Target = 66 } : t).ToList();
            yield return (s, [new PkRevisionProposed(approved, 0, "Perubahan anggaran", "budget-change", new DateOnly(year, 10, 2), signer,
                [.. revised.Select(t => new PkTarget(t.Indicator, t.Target))], changed)]);
            yield return (s, [new PkRevisionApproved(approved, 1), new PkRevised(1, "Perubahan anggaran", "budget-change", new DateOnly(year, 10, 2), signer, revised, changed)]);
            var rejected = Guid.NewGuid();
            yield return (s, [new PkRevisionProposed(rejected, 1, "Prioritas layanan", "priority-change", new DateOnly(year, 11, 1), signer,
                [.. revised.Select(t => new PkTarget(t.Indicator, t.Indicator == Code(2) ? 90 : t.Target))], [new PkTargetChanged(Code(2), 63, 90)])]);
            yield return (s, [new PkRevisionRejected(rejected, "Belum ada dasar APBD-P")]);
            yield return (s, [new BudgetRevised(1, "APBD perubahan", [new BudgetLineRevised("P0.0", "Kegiatan 0", "P0", 1_000_000_000m, 1_100_000_000m),
                new BudgetLineRevised("P3", "Program baru", null, null, 500_000_000m)], 9_000_000_000m, 9_600_000_000m)]);
            yield return (s, [new RealizationRecorded(Code(0), "Y", 71, null, null, null, null, null)]);
            yield return (s, [new RealizationCorrected(Code(0), "Q4", 0, 55.5m, "Salah ketik", false)]);
            yield return (s, [new ClaimsDeclared("LKjIP Tabel 3.5", [new ClaimDeclared(Code(3), "Y", 100, null, "Kesimpulan")])]);
            if (year == firstYear)
            {
                // Agencies whose name ends in an odd character close as the service does since 2026-12-07 (the close carries
                // the indicators committed or reported: every indicator, all in the PK); the others as closes recorded before.
                IReadOnlyList<string>? committedOrReported = (a[^1] & 1) == 1 ? [.. Enumerable.Range(0, Indicators).Select(Code)] : null;
                yield return (s, [new YearClosed("hash-" + year, "LKjIP " + year, [Code(5)], committedOrReported)]);
                yield return (s, [new RealizationCorrected(Code(2), "Q1", 0, 41, "Narasi", true)]);
            }
        }
    }

    private static List<PkTargetSigned> Targets() => [.. Enumerable.Range(0, Indicators).Select(i => new PkTargetSigned(Code(i), 61 + i, 60 + i))];

    /// <summary>The PK murni of an agency-year.</summary>
    public static PkSigned Pk(string a, int year) =>
        new(0, new DateOnly(year, 1, 31), new Signer("Kepala " + a, "19800412 200003 1 003", "Kepala Dinas"), 2021, Targets());

    /// <summary>An APBD murni of three programmes with three activities each.</summary>
    public static BudgetEnacted Budget()
    {
        var lines = new List<BudgetLineEnacted>();
        for (var p = 0; p < 3; p++)
        {
            lines.Add(new BudgetLineEnacted($"P{p}", "Program " + p, null, 3_000_000_000m));
            for (var k = 0; k < 3; k++) lines.Add(new BudgetLineEnacted($"P{p}.{k}", "Kegiatan " + k, $"P{p}", 1_000_000_000m));
        }
        return new BudgetEnacted(lines, [], 9_000_000_000m);
    }

    /// <summary>Appends every agency's story, one writer per agency (agencies advance concurrently, so batches mix them).</summary>
    public static async Task<long> AppendAsync(ReadModelDb db, IReadOnlyList<string> agencies, int firstYear = 2022, int years = 2)
    {
        long events = 0;
        await Task.WhenAll(agencies.Select(a => Task.Run(async () =>
        {
            foreach (var (stream, evs) in Appends(a, firstYear, years))
            {
                await db.AppendAsync(stream, evs);
                Interlocked.Add(ref events, evs.Length);
            }
        })));
        return events;
    }
}
