namespace Ledger.Domain.Rating;

// The scales named in the domain README ("Rating scales are data"). Each is plain data; an agency picks one
// (or its own) effective from a year. The lowest band of a scale printed as "≤ n" / "n < m" keeps its open
// −∞ lower bound as printed; validity only needs [0, +∞) covered.
public sealed partial record RatingScale
{
    /// <summary>
    /// Permendagri 86/2017 capaian bands, printed on integers: ≥ 91 Sangat Tinggi, 76–90 Tinggi, 66–75 Sedang,
    /// 51–65 Rendah, ≤ 50 Sangat Rendah. Decision (README asks for real boundaries): each band starts just above
    /// the previous band's printed maximum, i.e. &gt; 90, &gt; 75, &gt; 65, &gt; 50. So every printed integer keeps
    /// its printed band (90 → Tinggi, 91 → Sangat Tinggi) and a fractional value between two printed ranges goes
    /// to the higher band (90,01 and 90,5 → Sangat Tinggi; 50,5 → Rendah).
    /// </summary>
    public static RatingScale Permendagri86_2017 { get; } = new("Permendagri 86/2017", 2017, AsBands(
        new("Sangat Tinggi", 90m, false, null, false),
        new("Tinggi", 75m, false, 90m, true),
        new("Sedang", 65m, false, 75m, true),
        new("Rendah", 50m, false, 65m, true),
        new("Sangat Rendah", null, false, 50m, true)));

    /// <summary>
    /// Tabel 3.1 of the Surakarta LKjIP 2023 exactly as printed (001 digest §4.3): n &gt; 85, 70 &lt; n ≤ 85,
    /// 55 &lt; n ≤ 70, n &lt; 55. INVALID on purpose: 55 is in no band, and Validate reports "gap: 55 is in no band".
    /// Kept so an imported printed scale can be shown to be defective rather than silently repaired.
    /// </summary>
    public static RatingScale SurakartaLkjipAsPrinted { get; } = new("Surakarta LKjIP (as printed)", 2023, AsBands(
        new("Sangat Berhasil", 85m, false, null, false),
        new("Berhasil", 70m, false, 85m, true),
        new("Cukup Berhasil", 55m, false, 70m, true),
        new("Kurang Berhasil", null, false, 55m, false)));

    /// <summary>
    /// The Surakarta scale with the gap closed explicitly: Kurang Berhasil is n ≤ 55. Decision: 55 goes down,
    /// because every other band of the printed scale is closed above and open below (70 &lt; n ≤ 85,
    /// 55 &lt; n ≤ 70), so "n ≤ 55" is the only reading consistent with its siblings; "Cukup Berhasil"
    /// keeps its printed "55 &lt; n".
    /// </summary>
    public static RatingScale SurakartaLkjipExplicit { get; } = new("Surakarta LKjIP (gap at 55 closed: n ≤ 55)", 2023, AsBands(
        new("Sangat Berhasil", 85m, false, null, false),
        new("Berhasil", 70m, false, 85m, true),
        new("Cukup Berhasil", 55m, false, 70m, true),
        new("Kurang Berhasil", null, false, 55m, true)));

    /// <summary>
    /// PermenPANRB 88/2021 predikat on the Nilai SAKIP (0-100): AA &gt; 90, A &gt; 80, BB &gt; 70, B &gt; 60, CC &gt; 50,
    /// C &gt; 30, D ≥ 0. Each band is closed above at the next band's threshold (90 → A, 30 → D). AA is left
    /// open above instead of stopping at 100 so the scale meets the same [0, +∞) coverage rule as the others;
    /// a Nilai SAKIP above 100 is a data error to catch where the score is recorded, not here.
    /// </summary>
    public static RatingScale Akip88_2021 { get; } = new("PermenPANRB 88/2021 (AKIP)", 2021, AsBands(
        new("AA", 90m, false, null, false),
        new("A", 80m, false, 90m, true),
        new("BB", 70m, false, 80m, true),
        new("B", 60m, false, 70m, true),
        new("CC", 50m, false, 60m, true),
        new("C", 30m, false, 50m, true),
        new("D", 0m, true, 30m, true)));

    private static IReadOnlyList<RatingBand> AsBands(params RatingBand[] bands) => Array.AsReadOnly(bands);
}
