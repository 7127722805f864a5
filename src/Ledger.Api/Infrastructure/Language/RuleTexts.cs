using System.Text.RegularExpressions;

namespace Ledger.Api.Infrastructure.Language;

/// <summary>
/// The Indonesian <c>detail</c> of every rule a command can be refused with, keyed by the stable rule code
/// (Ledger.Domain.RuleCodes and the pipeline's own rules). Each rule has a complete sentence without the English
/// message's particulars; a few also have a pattern for the English message that, when it matches, gives a sentence with
/// those particulars (the year, the versions). A message that no longer matches its pattern falls back to the plain
/// sentence: never half a translation. A test checks that every rule code has an entry.
/// </summary>
public static partial class RuleTexts
{
    private sealed record Text(string Plain, Regex? English = null, string? Template = null);

    /// <summary>The Indonesian detail for <paramref name="rule"/> given the English <paramref name="message"/>; null when the rule has no entry.</summary>
    public static string? For(string rule, string? message)
    {
        if (!Texts.TryGetValue(rule, out var text)) return null;
        if (text.English is not null && message is not null && text.English.Match(message) is { Success: true } m)
            return text.English.GetGroupNames().Aggregate(text.Template!, (s, g) => s.Replace("{" + g + "}", m.Groups[g].Value, StringComparison.Ordinal));
        return text.Plain;
    }

    public static IReadOnlyCollection<string> Codes => Texts.Keys;

    [GeneratedRegex(@"^(?<year>\d{4}) is closed", RegexOptions.CultureInvariant)]
    private static partial Regex YearIsClosed();

    [GeneratedRegex(@"^(?<year>\d{4}) is already closed", RegexOptions.CultureInvariant)]
    private static partial Regex YearIsAlreadyClosed();

    [GeneratedRegex(@"^(?<year>\d{4}) has not ended \(today is (?<today>\d{4}-\d{2}-\d{2})\)", RegexOptions.CultureInvariant)]
    private static partial Regex YearNotEnded();

    private static readonly Dictionary<string, Text> Texts = new(StringComparer.Ordinal)
    {
        // Agency
        ["agency.already-registered"] = new("Instansi dengan kode ini sudah terdaftar."),
        ["agency.code-invalid"] = new("Kode instansi harus berupa huruf kecil dan angka yang dipisahkan satu tanda hubung, paling panjang 100 karakter."),
        ["agency.name-required"] = new("Nama instansi wajib diisi."),
        ["rating-scale.invalid"] = new("Skala predikat tidak valid."),

        // Renstra
        ["renstra.already-exists"] = new("Renstra untuk periode ini sudah ada."),
        ["renstra.period-invalid"] = new("Periode Renstra tidak valid."),
        ["renstra.title-required"] = new("Judul Renstra wajib diisi."),
        ["renstra.transition-year-invalid"] = new("Tahun transisi harus tepat satu tahun sebelum atau sesudah periode Renstra."),
        ["indicator.code-required"] = new("Kode indikator wajib diisi."),
        ["indicator.name-required"] = new("Nama indikator wajib diisi."),
        ["indicator.unit-required"] = new("Satuan indikator wajib diisi."),
        ["indicator.duplicate-code"] = new("Kode indikator ini sudah dipakai dalam Renstra."),
        ["indicator.parent-not-found"] = new("Indikator induk tidak ditemukan dalam Renstra."),
        ["indicator.target-year-outside-period"] = new("Tahun target berada di luar periode Renstra."),
        ["indicator.target-negative"] = new("Target indikator tidak boleh negatif."),
        ["indicator.lower-formula-needs-lower-polarity"] = new("Rumus untuk indikator yang makin rendah makin baik hanya berlaku bagi indikator dengan polaritas 'lower'."),
        ["renstra.declared-targets.source-required"] = new("Sumber tabel target wajib diisi."),
        ["renstra.declared-targets.unknown-indicator"] = new("Indikator tidak terdapat dalam Renstra."),
        ["renstra.declared-targets.required"] = new("Paling sedikit satu target wajib diisi."),
        ["renstra.revision.reason-required"] = new("Alasan wajib diisi untuk revisi Renstra."),
        ["renstra.revision.no-changes"] = new("Revisi Renstra harus memuat paling sedikit satu perubahan."),
        ["renstra.revision.unknown-indicator"] = new("Indikator yang direvisi tidak terdapat dalam Renstra."),
        ["renstra.revision.year-outside-period"] = new("Tahun yang direvisi berada di luar periode Renstra."),
        ["renstra.revision.duplicate-change"] = new("Indikator dan tahun yang sama diubah lebih dari sekali dalam satu revisi."),
        ["renstra.revision.no-change"] = new("Revisi ini tidak mengubah target apa pun."),
        ["renstra.revision.target-negative"] = new("Target hasil revisi tidak boleh negatif."),

        // PK
        ["pk.targets-required"] = new("Perjanjian Kinerja harus memuat paling sedikit satu target."),
        ["pk.unknown-indicator"] = new("Indikator dalam Perjanjian Kinerja tidak terdapat dalam Renstra yang berlaku."),
        ["pk.duplicate-indicator"] = new("Indikator yang sama tercantum lebih dari sekali dalam Perjanjian Kinerja."),
        ["pk.target-negative"] = new("Target Perjanjian Kinerja tidak boleh negatif."),
        ["pk.signer-required"] = new("Penanda tangan Perjanjian Kinerja wajib diisi."),
        ["pk.signer.nip-invalid"] = new("NIP penanda tangan harus terdiri atas 18 angka."),
        ["pk.signed-on.in-future"] = new("Tanggal penandatanganan tidak boleh melewati hari ini."),
        ["pk.murni.already-signed"] = new("PK murni tahun ini sudah ditandatangani; gunakan PK perubahan."),
        ["pk.perubahan.no-murni"] = new("PK perubahan memerlukan PK murni yang sudah ditandatangani."),
        ["pk.perubahan.reason-required"] = new("Alasan wajib diisi untuk PK perubahan."),
        ["pk.perubahan.ground-required"] = new("Dasar perubahan wajib diisi untuk PK perubahan."),
        ["pk.perubahan.no-change"] = new("PK perubahan ini tidak mengubah target apa pun."),
        ["pk.perubahan.signed-before-previous"] = new("PK perubahan tidak boleh ditandatangani lebih awal daripada versi sebelumnya."),

        // Realizations
        ["realization.period-invalid"] = new("Periode ini tidak sesuai dengan cara agregasi indikator."),
        ["realization.granularity-mixed"] = new("Realisasi indikator pada tahun ini sudah dilaporkan dengan periode yang lain; gunakan satu jenis periode saja."),
        ["realization.already-recorded-use-correction"] = new("Realisasi untuk periode ini sudah dicatat; gunakan koreksi untuk mengubahnya."),
        ["realization.value-negative"] = new("Nilai realisasi tidak boleh negatif."),
        ["realization.fraction-invalid"] = new("Pembilang tidak boleh negatif dan penyebut harus lebih besar dari nol."),
        ["realization.correction.reason-required"] = new("Alasan wajib diisi untuk koreksi."),
        ["realization.correction.no-realization"] = new("Belum ada realisasi yang dapat dikoreksi untuk indikator dan periode ini."),
        ["realization.correction.same-value"] = new("Nilai koreksi sama dengan nilai yang sudah tercatat."),

        // Declared claims
        ["year.declared-claims.source-required"] = new("Sumber klaim wajib diisi."),
        ["year.declared-claims.required"] = new("Paling sedikit satu klaim wajib diisi."),
        ["year.declared-claims.unknown-indicator"] = new("Indikator tidak terdapat dalam Renstra yang berlaku untuk tahun ini."),
        ["year.declared-claims.duplicate"] = new("Indikator dan periode yang sama tercantum lebih dari sekali dalam satu pernyataan."),
        ["year.declared-claims.figure-required"] = new("Setiap klaim harus memuat capaian atau progres."),
        ["year.declared-claims.negative"] = new("Capaian dan progres yang diklaim tidak boleh negatif."),

        // Budget
        ["budget.already-enacted"] = new("APBD murni tahun ini sudah ditetapkan; gunakan APBD perubahan."),
        ["budget.lines-required"] = new("Anggaran harus memuat paling sedikit satu baris."),
        ["budget.line-incomplete"] = new("Setiap baris anggaran wajib memiliki kode dan nama."),
        ["budget.duplicate-code"] = new("Kode baris anggaran yang sama tercantum lebih dari sekali."),
        ["budget.parent-not-found"] = new("Baris anggaran induk tidak ditemukan."),
        ["budget.parent-cycle"] = new("Hubungan induk antarbaris anggaran membentuk lingkaran."),
        ["budget.pagu-negative"] = new("Pagu tidak boleh negatif."),
        ["budget.declared-total-unknown-code"] = new("Kode baris anggaran tidak terdapat dalam APBD tahun ini."),
        ["budget.revision.no-murni"] = new("APBD perubahan memerlukan APBD murni yang sudah ditetapkan."),
        ["budget.revision.reason-required"] = new("Alasan wajib diisi untuk APBD perubahan."),
        ["budget.revision.unknown-line"] = new("Baris anggaran yang diubah tidak terdapat dalam APBD."),
        ["budget.revision.no-change"] = new("APBD perubahan ini tidak mengubah pagu apa pun."),
        ["budget.declared-totals.no-budget"] = new("Belum ada APBD yang ditetapkan untuk tahun ini."),
        ["budget.declared-totals.source-required"] = new("Sumber angka anggaran wajib diisi."),
        ["budget.declared-totals.required"] = new("Paling sedikit satu angka anggaran wajib diisi."),
        ["budget.declared-totals.figure-required"] = new("Setiap baris harus memuat paling sedikit satu angka."),
        ["budget.declared-totals.negative"] = new("Pagu dan realisasi yang dinyatakan tidak boleh negatif."),
        ["spending.no-budget"] = new("Belum ada APBD yang ditetapkan untuk tahun ini."),
        ["spending.unknown-line"] = new("Baris anggaran tidak terdapat dalam APBD."),
        ["spending.amount-negative"] = new("Jumlah realisasi anggaran tidak boleh negatif."),
        ["spending.level-mixed"] = new("Realisasi anggaran cabang ini sudah dicatat pada tingkat lain; catat pada satu tingkat saja."),

        // Closing
        ["year.closed"] = new("Tahun ini sudah ditutup; perubahan tidak dapat dicatat, kecuali koreksi realisasi dengan alasan.",
            YearIsClosed(), "Tahun {year} sudah ditutup; perubahan tidak dapat dicatat, kecuali koreksi realisasi dengan alasan."),
        ["year.already-closed"] = new("Tahun ini sudah ditutup.", YearIsAlreadyClosed(), "Tahun {year} sudah ditutup."),
        ["year.snapshot-hash-required"] = new("Penutupan tahun memerlukan hash snapshot."),
        ["year.not-ended"] = new("Tahun ini belum berakhir, sehingga belum dapat ditutup.", YearNotEnded(),
            "Tahun {year} belum berakhir (hari ini {today}); tahun ini baru dapat ditutup mulai 1 Januari tahun berikutnya."),
        ["year.close.log-head-unsettled"] = new("Log belum stabil untuk ditutup; coba lagi sebentar lagi."),

        // Users
        ["user.name-required"] = new("Nama pengguna wajib diisi."),
        ["user.role-invalid"] = new("Peran pengguna tidak valid."),
        ["user.agency-required"] = new("Instansi wajib diisi untuk peran ini."),
        ["user.agency-not-allowed"] = new("Peran ini tidak terikat pada instansi; kosongkan instansi."),
        ["user.already-exists"] = new("Pengguna ini sudah ada."),
        ["user.revoke-reason-required"] = new("Alasan wajib diisi untuk mencabut akses pengguna."),
        ["user.token-reason-required"] = new("Alasan wajib diisi untuk menerbitkan token baru."),
        ["user.revoked"] = new("Akses pengguna ini sudah dicabut; token baru tidak dapat diterbitkan."),

        // Revision workflow
        ["revision-proposal.not-pending"] = new("Usulan ini sudah diputuskan."),
        ["revision-proposal.stale"] = new("Target yang diusulkan sudah berubah sejak usulan dibuat; ajukan usulan baru."),
        ["revision-proposal.reject-reason-required"] = new("Alasan wajib diisi untuk menolak usulan."),
        ["revision-proposal.duplicate-id"] = new("Usulan dengan nomor ini sudah ada."),

        // Evaluations
        ["evaluation.already-recorded"] = new("Evaluasi untuk instansi dan tahun ini sudah dicatat."),
        ["evaluation.score-out-of-range"] = new("Nilai evaluasi harus antara 0 dan 100."),
        ["evaluation.predikat-mismatch"] = new("Predikat tidak sesuai dengan nilai evaluasi."),
        ["evaluation.component-out-of-range"] = new("Nilai komponen evaluasi berada di luar rentang yang diperbolehkan."),
        ["evaluation.components-sum-mismatch"] = new("Jumlah nilai komponen tidak sama dengan nilai evaluasi."),
        ["evaluation.recommendations-required"] = new("Paling sedikit satu rekomendasi wajib diisi."),
        ["evaluation.not-recorded"] = new("Belum ada evaluasi untuk instansi dan tahun ini."),
        ["evaluation.follow-up.unknown-recommendation"] = new("Rekomendasi dengan nomor ini tidak ada."),
        ["evaluation.follow-up.action-required"] = new("Tindak lanjut wajib diisi."),

        // The pipeline's own rules
        ["concurrency.race-lost"] = new("Data berubah berulang kali saat perintah ini diproses; coba lagi."),
        ["idempotency.key-reused"] = new("Idempotency-Key ini sudah dipakai untuk permintaan lain."),
    };
}
