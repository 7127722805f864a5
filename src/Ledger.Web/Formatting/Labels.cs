namespace Ledger.Web.Formatting;

/// <summary>What the API's stable English codes are called on the pages.</summary>
public static class Labels
{
    public static string Role(string? role) => role switch
    {
        "staff" => "Staf",
        "approver" => "Penyetuju (pimpinan)",
        "inspektorat" => "Inspektorat",
        "admin" => "Administrator",
        _ => role ?? Id.Missing,
    };

    public static readonly IReadOnlyList<(string Code, string Label)> Periods =
    [
        ("Q1", "Triwulan I"), ("Q2", "Triwulan II"), ("Q3", "Triwulan III"), ("Q4", "Triwulan IV"),
        ("S1", "Semester I"), ("S2", "Semester II"), ("Y", "Tahunan"),
    ];

    public static string Period(string? code) => Periods.FirstOrDefault(p => p.Code == code).Label ?? code ?? Id.Missing;

    /// <summary>A history entry's "effective" period: <c>2023-Q2</c> → <c>2023 · Triwulan II</c>; anything else as sent.</summary>
    public static string Effective(string? effective) =>
        effective is { Length: > 5 } e && e[4] == '-' && int.TryParse(e[..4], out _) && Periods.Any(p => p.Code == e[5..])
            ? $"{e[..4]} · {Period(e[5..])}"
            : effective ?? "";

    public static readonly IReadOnlyList<(string Code, string Label)> Grounds =
    [
        ("budget-change", "Perubahan anggaran (APBD perubahan)"),
        ("official-change", "Pergantian pejabat"),
        ("priority-change", "Perubahan prioritas / kebijakan"),
    ];

    public static string Ground(string? code) => code is null ? Id.Missing : Grounds.FirstOrDefault(g => g.Code == code).Label ?? code;

    /// <summary><c>renstra</c>, <c>pk-murni</c>, <c>pk-perubahan-2</c>, <c>none</c>.</summary>
    public static string TargetSource(string? source) => source switch
    {
        null or "none" => "tidak ada target",
        "renstra" => "Renstra",
        "pk-murni" => "PK murni",
        _ when source.StartsWith("pk-perubahan-", StringComparison.Ordinal) => "PK perubahan " + source["pk-perubahan-".Length..],
        _ => source,
    };

    public static string PkKind(string? kind) => kind switch { "murni" => "PK murni", "perubahan" => "PK perubahan", _ => kind ?? Id.Missing };

    public static string Level(string? level) => level switch
    {
        "tujuan" => "Tujuan",
        "sasaran" => "Sasaran",
        "program" => "Program",
        "kegiatan" => "Kegiatan",
        "subkegiatan" => "Sub kegiatan",
        _ => level ?? Id.Missing,
    };

    public static string Polarity(string? polarity) => polarity switch
    {
        "higher" => "makin tinggi makin baik",
        "lower" => "makin rendah makin baik",
        _ => polarity ?? Id.Missing,
    };

    /// <summary>Event types (DomainEventTypes) as the change log names them.</summary>
    public static readonly IReadOnlyList<(string Kind, string Label)> EventKinds =
    [
        ("agency.registered.v1", "Instansi didaftarkan"),
        ("agency.rating-scale-set.v1", "Skala penilaian ditetapkan"),
        ("renstra.created.v1", "Renstra dibuat"),
        ("renstra.indicator-added.v1", "Indikator Renstra ditambahkan"),
        ("renstra.revised.v1", "Target Renstra direvisi"),
        ("renstra.revision-proposed.v1", "Revisi Renstra diusulkan"),
        ("renstra.revision-approved.v1", "Revisi Renstra disetujui"),
        ("renstra.revision-rejected.v1", "Revisi Renstra ditolak"),
        ("renstra.targets-declared.v1", "Target tercetak dicatat"),
        ("pk.signed.v1", "PK murni ditandatangani"),
        ("pk.revised.v1", "PK perubahan ditandatangani"),
        ("pk.revision-proposed.v1", "PK perubahan diusulkan"),
        ("pk.revision-approved.v1", "Usulan PK perubahan disetujui"),
        ("pk.revision-rejected.v1", "Usulan PK perubahan ditolak"),
        ("realization.recorded.v1", "Realisasi dicatat"),
        ("realization.corrected.v1", "Realisasi dikoreksi"),
        ("year.claims-declared.v1", "Capaian tercetak dicatat"),
        ("budget.enacted.v1", "Anggaran (APBD murni) ditetapkan"),
        ("budget.revised.v1", "Anggaran perubahan ditetapkan"),
        ("budget.spending-recorded.v1", "Realisasi anggaran dicatat"),
        ("budget.totals-declared.v1", "Total anggaran tercetak dicatat"),
        ("year.closed.v1", "Tahun ditutup"),
        ("year.snapshot-frozen.v1", "Snapshot akhir tahun dibekukan"),
        ("evaluation.recorded.v1", "Evaluasi dicatat"),
        ("evaluation.follow-up-recorded.v1", "Tindak lanjut dicatat"),
        ("user.created.v1", "Pengguna dibuat"),
        ("user.token-revoked.v1", "Token pengguna dicabut"),
        ("user.token-issued.v1", "Token baru diterbitkan"),
    ];

    public static string EventKind(string? kind) => EventKinds.FirstOrDefault(k => k.Kind == kind).Label ?? kind ?? Id.Missing;

    /// <summary>The history read's entry kinds (Ledger.Domain.History.HistoryKinds: the event names without ".v1", and pk.*).</summary>
    public static string HistoryKind(string? kind) => kind switch
    {
        null => Id.Missing,
        "pk.murni" => "PK murni ditandatangani",
        "pk.perubahan" => "PK perubahan ditandatangani",
        "pk.perubahan-proposed" => "PK perubahan diusulkan",
        "pk.perubahan-approved" => "Usulan PK perubahan disetujui",
        "pk.perubahan-rejected" => "Usulan PK perubahan ditolak",
        _ when EventKinds.Any(k => k.Kind == kind + ".v1") => EventKind(kind + ".v1"),
        _ => EventKind(kind),
    };

    /// <summary>The components of an AKIP evaluation (PermenPANRB 88/2021) as the evaluation read names them.</summary>
    public static string EvaluationComponent(string name) => name switch
    {
        "perencanaan" => "Perencanaan kinerja",
        "pengukuran" => "Pengukuran kinerja",
        "pelaporan" => "Pelaporan kinerja",
        "evaluasiInternal" => "Evaluasi akuntabilitas kinerja internal",
        "sum" => "Jumlah komponen",
        _ => name,
    };

    /// <summary>What each finding rule (Ledger.Domain.Findings.FindingRules) detects, in Indonesian; the finding's own
    /// message (with its numbers) is the domain's English text, shown beside it.</summary>
    public static readonly IReadOnlyDictionary<string, string> FindingRules = new Dictionary<string, string>
    {
        ["capaian.claimed-mismatch"] = "Capaian yang dilaporkan berbeda dari hasil hitung ulang",
        ["capaian.claimed-progress-mismatch"] = "Progres terhadap target akhir Renstra yang dilaporkan berbeda dari hitung ulang",
        ["capaian.claimed-without-realization"] = "Capaian dilaporkan tanpa realisasi tercatat",
        ["budget.rollup-mismatch"] = "Pagu induk tidak sama dengan jumlah pagu rinciannya",
        ["budget.declared-total-mismatch"] = "Total anggaran yang tercetak berbeda dari jumlah barisnya",
        ["budget.duplicate-sibling-pagu"] = "Dua baris anggaran setingkat dengan pagu persis sama",
        ["budget.spending-above-pagu"] = "Realisasi anggaran melebihi pagu",
        ["budget.efficiency-claim-mismatch"] = "Efisiensi yang dilaporkan berbeda dari hitung ulang",
        ["budget.absorption-claim-mismatch"] = "Serapan yang dilaporkan berbeda dari hitung ulang",
        ["budget.absorption-claim-rounded"] = "Serapan dilaporkan dengan pembulatan",
        ["pk.target-differs-from-renstra"] = "Target PK berbeda dari target Renstra",
        ["target.differs-between-tables"] = "Target berbeda antartabel dokumen",
        ["target.revised-after-realization"] = "Target direvisi setelah realisasinya tercatat",
        ["target.below-baseline"] = "Target di bawah kondisi awal (baseline)",
        ["target.raised-while-budget-cut"] = "Target dinaikkan saat anggaran dipotong",
        ["realization.corrected-after-close"] = "Realisasi dikoreksi setelah tutup buku",
        ["realization.missing-at-year-end"] = "Realisasi tidak ada pada akhir tahun",
        ["realization.ratio-above-100"] = "Realisasi rasio di atas 100 %",
        ["revision.without-reason-or-ground"] = "Perubahan tanpa alasan atau dasar",
    };

    public static string FindingRule(string rule) => FindingRules.GetValueOrDefault(rule) ?? rule;

    /// <summary>Finding severities (Ledger.Domain.Findings.Severities).</summary>
    public static string Severity(string? severity) => severity switch
    {
        "high" => "tinggi",
        "medium" => "sedang",
        "low" => "rendah",
        "info" => "informasi",
        _ => severity ?? Id.Missing,
    };

    /// <summary>Why a capaian is not computed (Ledger.Domain.Capaian.CapaianCalculator reasons).</summary>
    public static string CapaianNotComputed(string? reason) => reason switch
    {
        null => "",
        "no realization" => "belum ada realisasi",
        "target is zero" => "target nol",
        "realization is zero" => "realisasi nol",
        "target is negative" => "target negatif",
        "realization is negative" => "realisasi negatif",
        "no target" => "tidak ada target",
        _ => reason,
    };

    /// <summary>A CSS class for a predikat: the colour follows the words of the agency's own scale.</summary>
    public static string PredikatClass(string? predikat)
    {
        if (predikat is null) return "p-none";
        var p = predikat.ToLowerInvariant();
        if (p.StartsWith("sangat") && (p.Contains("berhasil") || p.Contains("tinggi") || p.Contains("baik"))) return "p-1";
        if (p.StartsWith("sangat")) return "p-5";
        if (p.StartsWith("tidak") || p.Contains("rendah")) return "p-5";
        if (p.StartsWith("kurang")) return "p-4";
        if (p.StartsWith("cukup") || p.Contains("sedang")) return "p-3";
        if (p is "aa" or "a") return "p-1";
        if (p is "bb" or "b") return "p-2";
        if (p is "cc" or "c") return "p-3";
        if (p is "d") return "p-5";
        return "p-2";
    }
}
