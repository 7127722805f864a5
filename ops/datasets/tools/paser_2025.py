#!/usr/bin/env python3
"""Writes ops/datasets/paser-2025/*.json from tables transcribed by hand from
/work/shared/seeds/004_284ecdf5acd6e9fd.digest.md (sections cited inline). Numbers are kept exactly as printed,
including the printed errors; the few values that are not printed at all are marked 'reconstructed' or 'implied'.
Decimals are written as strings here and emitted as JSON numbers unchanged (no float rounding)."""
import json, os, re
from decimal import Decimal

OUT = os.path.join(os.path.dirname(__file__), "..", "paser-2025")
YEARS = [2026, 2027, 2028, 2029, 2030]
A = "/api/agencies/{agency}"

def num(s):
    """'1.361.404.804' / '71,51' / '246,5' (Indonesian, as printed) -> Decimal."""
    s = str(s)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", s) or "," in s:
        s = s.replace(".", "").replace(",", ".")
    return Decimal(s)

def plain(o):
    """Decimals as JSON numbers: integers stay integers; the rest have at most 15 significant digits, so the shortest
    float representation is exactly the printed decimal."""
    if isinstance(o, dict): return {k: plain(v) for k, v in o.items()}
    if isinstance(o, list): return [plain(v) for v in o]
    if isinstance(o, Decimal):
        if o == o.to_integral_value(): return int(o)
        assert len(o.as_tuple().digits) <= 15 and str(float(o)) == format(o.normalize(), "f"), o
        return float(o)
    return o

def dump(name, steps):
    text = json.dumps(plain(steps), indent=1, ensure_ascii=False)
    # json writes floats via float.__repr__; make sure decimals stay exact
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        f.write(text + "\n")

def targets(values, years=YEARS):
    return {str(y): num(v) for y, v in zip(years, values) if v is not None}

def post(path, body, who="staff", note=None):
    s = {"method": "POST", "path": A + path, "as": who, "body": body}
    if note: s["note"] = note
    return s

SIGNER = {"name": "LISWANDI, SP", "nip": "196904151992121002", "position": "Plt. Kepala BKPSDM Kabupaten Paser"}

# ---------------------------------------------------------------- agency, users
dump("00-agency.json", {"method": "POST", "path": "/api/agencies", "as": "admin",
    "body": {"code": "{agency}", "name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM) Kabupaten Paser"}})
dump("01-users.json", [
    {"method": "POST", "path": "/api/users", "as": "admin", "user": "staff",
     "body": {"name": "Perencana BKPSDM Kabupaten Paser", "role": "staff", "agency": "{agency}"}},
    {"method": "POST", "path": "/api/users", "as": "admin", "user": "approver", "note": "digest §1: signer of the Renstra (19 September 2025)",
     "body": {"name": "LISWANDI, SP", "nip": "196904151992121002", "role": "approver", "agency": "{agency}"}},
])

# ---------------------------------------------------------------- old Renstra 2021-2026 (digest §3.2, Tabel 2.4)
dump("02-renstra-2021.json", post("/renstra", {"periodStart": 2021, "periodEnd": 2026,
    "title": "Rencana Strategis BKPSDM Kabupaten Paser 2021-2026 (previous cycle, superseded for 2025-2026)",
    "decree": "Perda Kab. Paser 04/2021 (RPJMD 2021-2026)"},
    note="The previous plan; only its Tabel 2.4 indicators (targets 2022-2026) are known from seed 004"))

OLD_YEARS = [2022, 2023, 2024, 2025, 2026]
# code, name, level, polarity, targets 2022..2026, realisasi 2022..2024, printed rasio 2022..2024 (None = '-')
OLD = [
 ("OLD-RB", "Penilaian Mandiri Pelaksanaan Reformasi Birokrasi", "higher", ["60,00","65,00","70,00","75,00","80,00"], ["66,00","0,00","0,00"], ["110,00","0,00","0,00"]),
 ("TUJ-IPASN", "Indeks Profesionalitas ASN", "higher", ["60,00","62,00","65,00","70,00","75,00"], ["70,60","79,00","40,80"], ["117,67","127,42","62,77"]),
 ("IKU-MERIT", "Hasil penilaian mandiri penerapan sistem merit", "higher", ["0,00","125,00","150,00","175,00","200,00"], ["0,00","185,50","246,50"], [None,"148,40","164,33"]),
 ("IKU-SAKIP", "Nilai SAKIP Perangkat Daerah", "higher", ["60,00","63,00","65,00","70,00","70,00"], ["63,00","65,18","71,51"], ["105,00","103,46","110,02"]),
 ("IKU-IKM", "Indeks Survei Kepuasan Pelayanan Kepegawaian", "higher", ["0,00","72,00","74,00","76,00","80,00"], ["0,00","80,92","81,62"], [None,"112,39","110,30"]),
 ("OLD-DIKLAT-FORMAL", "Presentase Pejabat ASN yang telah mengikuti Pendidikan dan Pelatihan Formal", "higher", ["0,00","80,00","85,00","90,00","95,00"], ["0,00","190,69","95,00"], [None,"238,36","111,76"]),
 ("OLD-DIKLAT-STRUKTURAL", "Presentase Pejabat ASN yang telah mengikuti Diklat Struktural", "higher", ["0,00","85,00","90,00","95,00","98,00"], ["0,00","84,055","90,00"], [None,"98,89","100,00"]),
 ("OLD-IKP-SEKRETARIAT", "Indeks Kepuasan Pelayanan Sekretariat", "higher", ["70,00","72,00","74,00","78,00","80,00"], ["77,65","99,53","77,04"], ["110,93","138,24","104,11"]),
 ("OLD-JABATAN-PENDIDIKAN", "Persentase kesesuaian jabatan pegawai berdasarkan pendidikan", "higher", ["70,00","75,00","80,00","85,00","90,00"], ["83,78","98,75","88,00"], ["119,69","131,67","110,00"]),
 ("OLD-KOMPETENSI-KUALIFIKASI", "Persentase ASN bekerja sesuai kompetensi dan kualifikasi dalam jabatan", "higher", ["70,00","75,00","80,00","85,00","90,00"], ["62,25","75,78","75,00"], ["88,93","101,04","93,75"]),
 ("OLD-BERKINERJA-BAIK", "Persentase pegawai berkinerja baik", "higher", ["100,00","100,00","100,00","100,00","100,00"], ["68,00","85,38","97,45"], ["68,00","85,38","97,45"]),
 ("OLD-SERTIFIKASI-MANAJERIAL", "Persentase ASN Manajerial dan fungsional memiliki sertifikasi", "higher", ["70,00","75,00","80,00","85,00","85,00"], ["83,06","59,45","80,00"], ["118,66","79,27","100,00"]),
 ("OLD-TEMUAN", "Jumlah Temuan Penyimpangan Pengelolaan BMD dan Keuangan yang Material BPK RI dan APIP Inspektorat", "lower", ["0,00","0,00","0,00","0,00","0,00"], ["0,00",None,None], ["100,00",None,None]),
 ("OLD-SERTIFIKASI-KOMPETENSI", "Persentase ASN yang memiliki sertifikasi kompetensi", "higher", ["70,00",None,None,None,None], ["55,92",None,None], ["79,89",None,None]),
]
steps = []
for code, name, pol, t, r, c in OLD:
    body = {"code": code, "name": name, "level": "tujuan" if code == "TUJ-IPASN" else "sasaran", "kind": "other",
            "unit": "jumlah" if code == "OLD-TEMUAN" else ("indeks" if code in ("TUJ-IPASN", "IKU-MERIT", "IKU-IKM") else ("nilai" if code == "IKU-SAKIP" else "%")),
            "polarity": pol, "aggregation": "annual", "targets": targets(t, OLD_YEARS)}
    if pol == "lower": body["lowerFormula"] = "inverse-2t"
    steps.append(post("/renstra/2021/indicators", body, note="Tabel 2.4 row (digest §3.2); '0,00' targets kept as printed"))
dump("03-indicators-2021.json", steps)

steps = []
for code, name, pol, t, r, c in OLD:
    for y, rv, cv in zip([2022, 2023, 2024], r, c):
        if rv is None: continue
        body = {"indicator": code, "year": y, "period": "Y", "value": num(rv), "evidence": "Renstra 2025-2029 Tabel 2.4 (source BKPSDM Kabupaten Paser, 2024)"}
        if cv is not None: body["claimedCapaian"] = num(cv)
        steps.append(post("/realizations", body))
dump("04-realizations-2022-2024.json", steps)

# ---------------------------------------------------------------- new Renstra 2025-2029 (+ transition year 2030)
dump("05-renstra-2025.json", post("/renstra", {"periodStart": 2025, "periodEnd": 2029, "transitionYear": 2030,
    "title": "Rencana Strategis BKPSDM Kabupaten Paser Tahun 2025-2029",
    "decree": "Perda Kab. Paser 5/2025 (RPJMD 2025-2029); Peraturan Bupati Paser Nomor ... Tahun 2025 (number not printed)",
    "reason": "Review Renstra: perubahan isu strategis, LHE APIP, perubahan nomenklatur (Permendagri 90/2019; Kepmendagri 050-3708 dan 050-5889/2021)"},
    note="Signed 19 September 2025 (digest §1); target tables run 2026-2030, Tabel 4.3 adds 2025 for IKU/IKK (§6.3)"))

Y6 = [2025] + YEARS
def ind(code, name, level, kind, unit, pol, agg, ts, years=YEARS, base=None, end=None, parent=None, note=None, lower=None, source=None):
    body = {"code": code, "name": name, "level": level, "kind": kind, "unit": unit, "polarity": pol, "aggregation": agg,
            "targets": targets(ts, years)}
    if source: body["targetsSource"] = source
    if parent: body["parent"] = parent
    if lower: body["lowerFormula"] = lower
    if base is not None: body["baseline"] = num(base); body["baselineYear"] = 2024
    if end is not None: body["endTarget"] = num(end)
    return post("/renstra/2025/indicators", body, note=note)

steps = [
 ind("TUJ-IPASN", "Indeks Profesionalitas ASN", "tujuan", "other", "indeks", "higher", "annual", ["70","80","82","84","86","88"], Y6, "79", "88",
     note="Indikator Tujuan 'Meningkatkan Profesionalisme ASN' (§3.1). Baseline 79 although Tabel 2.4 shows 2024 = 40,80; 2025 target 70 below it (§6.2)"),
 ind("IKU-IKM", "Tingkat Kepuasan Masyarakat terhadap Layanan Kepegawaian, Pendidikan dan Pelatihan", "sasaran", "IKU", "persen", "higher", "annual",
     ["82","84","86","88","90","92"], Y6, "81,62", "92", parent="TUJ-IPASN", note="Sasaran 1; satuan printed 'Persen' for an index"),
 ind("IKU-SAKIP", "Nilai SAKIP Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "sasaran", "IKU", "nilai", "higher", "annual",
     ["71,51","71,5","72","72,5","73","73,5"], Y6, "71,51", "73,5", parent="TUJ-IPASN", note="Sasaran 1; 2026 target 71,5 below the 2025 target and the baseline (§6.2)"),
 ind("IKU-MERIT", "Indeks Sistem Merit", "sasaran", "IKU", "indeks", "higher", "annual",
     ["250","250","260","270","280","300"], Y6, "246,5", "300", parent="TUJ-IPASN", note="Sasaran 2 'Meningkatnya Kualitas Tata Kelola Manajemen ASN'"),
 ind("IKK-NSPK", "Nilai Indeks Implementasi NSPK manajemen ASN", "sasaran", "IKK", "nilai", "higher", "annual",
     ["70,01","72","74","76","78","80"], Y6, "66,7", "80", note="IKK, Tabel 4.3 only"),
]
dump("06-indicators-2025-iku.json", steps)

# program indicators (§3.3)
P = [
 ("5.03.01/1", "Nilai Kinerja Manajemen Internal", "persen", "higher", "74", ["76","80","84","87","90"], "90", "IKU-IKM", None),
 ("5.03.02/1", "Rata-rata Tingkat Pemenuhan Kebutuhan ASN yang Sesuai dengan Formasi Jabatan berdasarkan Jenis Jabatan", "persen", "higher", "100", ["100"]*5, "100", "IKU-MERIT", None),
 ("5.03.02/2", "Persentase ASN yang Pernah Mendapatkan Hukuman Disiplin (sedang-berat)", "persen", "lower", "1,10", ["1,00","0,90","0,80","0,70","0,60"], "0,60", "IKU-MERIT",
  "lower is better (inferred); the document defines no formula, inverse-2t chosen explicitly"),
 ("5.03.02/3", "Persentase Pengembangan Karir ASN sesuai dengan Kompetensinya", "persen", "higher", "92", ["60","65","70","75","80"], "80", "IKU-MERIT", "baseline 92 then 2026 target 60 (§6.2)"),
 ("5.03.02/4", "Persentase Pegawai Berkinerja Baik", "persen", "higher", "97,45", ["100"]*5, "100", "IKU-MERIT", None),
 ("5.04.02/1", "Persentase ASN Yang Naik Jenjang", "persen", "higher", None, ["75","75","78","80","80"], "80", "IKU-MERIT", None),
 ("5.04.02/2", "Persentase ASN Yang Memenuhi Standar Kompetensi Jabatan", "persen", "higher", None, ["82","85","87","60","60"], "60", "IKU-MERIT",
  "Tabel 4.1 targets 82/85/87/60/60; Tabel 4.4 prints 52/55/57/60/60 (§6.2)"),
]
TABEL_41 = "Renstra 2025-2029 Tabel 4.1"
steps = [ind(c, n, "program", "other", u, pol, "last", t, YEARS, b, e, par, note, "inverse-2t" if pol == "lower" else None, TABEL_41)
         for c, n, u, pol, b, t, e, par, note in P]
dump("07-indicators-2025-program.json", steps)

# Tabel 4.4 prints the same seven program indicators again (L2563-2569): six agree with Tabel 4.1, "Standar Kompetensi
# Jabatan" does not (52/55/57 against 82/85/87, §6.2). Recorded as declared targets with their source (evidence for the
# finding target.differs-between-tables), never as targets in force; Tabel 4.1 stays the Renstra's.
T44 = {
 "5.03.01/1": ["76","80","84","87","90"],
 "5.03.02/1": ["100"]*5,
 "5.03.02/2": ["1,00","0,90","0,80","0,70","0,60"],
 "5.03.02/3": ["60","65","70","75","80"],
 "5.03.02/4": ["100"]*5,
 "5.04.02/1": ["75","75","78","80","80"],
 "5.04.02/2": ["52","55","57","60","60"],
}
assert list(T44) == [p[0] for p in P]
TABEL_44 = "Renstra 2025-2029 Tabel 4.4"
declared = [post("/renstra/2025/declared-targets", {"indicator": c, "source": TABEL_44, "targets": targets(t)},
                 note=("Tabel 4.4 row 7 prints 52/55/57/60/60 where Tabel 4.1 prints 82/85/87/60/60 (§6.2)" if c == "5.04.02/2"
                       else "Tabel 4.4 prints the Tabel 4.1 targets"))
            for c, t in T44.items()]

# kegiatan indicators (§3.4): all of them
H = ["100"]*5
K = [
 ("5.03.01.2.01/1", "Persentase ketepatan tahapan penyusunan dokumen perencanaan PD", "82,35", H, "100"),
 ("5.03.01.2.01/2", "Persentase konsistensi Renja dengan Renstra tahun berkenaan", None, H, "100"),
 ("5.03.01.2.01/3", "Persentase keselarasan muatan Renstra dengan RPJMD", None, [None, None, None, None, "100"], "100"),
 ("5.03.01.2.01/4", "Persentase ketersediaan data kinerja", None, H, "100"),
 ("5.03.01.2.02/1", "Persentase Temuan Ditindaklanjuti", None, H, "100"),
 ("5.03.01.2.02/2", "Persentase LHP nihil", None, H, "100"),
 ("5.03.01.2.05/1", "Persentase Rata-rata Capaian IKI dengan Nilai > 80", None, H, "100"),
 ("5.03.01.2.06/1", "Persentase Pemenuhan Kebutuhan Administrasi Perkantoran", None, H, "100"),
 ("5.03.01.2.07/1", "Persentase Barang Inventaris Peralatan dan Mesin dalam Kondisi Baik", None, H, "100"),
 ("5.03.01.2.08/1", "Persentase Ketersediaan Jasa Penunjang Urusan PD", "100", H, "100"),
 ("5.03.01.2.09/1", "Persentase Barang Inventaris dalam Kondisi Baik", None, H, "100"),
 ("5.03.02.2.01/1", "Persentase Kesesuaian Pengadaan ASN Berdasarkan ANJAB dan ABK", "100", H, "100"),
 ("5.03.02.2.01/2", "Indeks Kualitas Data ASN", None, ["95","95","96","96","97"], "97"),
 ("5.03.02.2.02/1", "Persentase Mutasi ASN Berdasarkan Kebutuhan Jabatan", None, H, "100"),
 ("5.03.02.2.02/2", "Persentase Promosi ASN Berdasarkan Standar Kompetensi Jabatan", None, H, "5"),
 ("5.03.02.2.03/1", "Persentase Rekomendasi Pengembangan Kompetensi yang Ditindaklanjuti", None, H, "100"),
 ("5.03.02.2.04/1", "Tingkat Kesesuaian Rencana SKP dengan Renstra PD", None, H, "100"),
 ("5.03.02.2.04/2", "Persentase Pengaduan Pelanggaran Disiplin yang Ditangani", None, H, "100"),
 ("5.04.02.2.01/1", "Persentase ASN yang Memiliki Sertifikat Kompetensi Teknis Manajemen ASN", None, H, "100"),
 ("5.04.02.2.02/1", "Persentase Calon ASN yang Lulus Diklat Dasar (Latsar)", "92", ["95"]*5, "95"),
 ("5.04.02.2.02/2", "Persentase ASN PPPK yang Lulus Diklat (Orientasi)", None, ["30","25","25","25","25"], None),
 ("5.04.02.2.02/3", "Persentase ASN yang Lulus Diklat Kepemimpinan (PKN, PKA, PKP)", None, ["75","80","80","90","95"], "95"),
 ("5.04.02.2.02/4", "Persentase ASN yang Lulus Diklat Jabatan Fungsional", None, ["15","15","17","18","19"], "19"),
]
def program_of(code):
    return {"5.03.01": "5.03.01/1", "5.03.02": "5.03.02/1", "5.04.02": "5.04.02/1"}[code[:7]]
steps = [ind(c, n, "kegiatan", "other", "persen" if not n.startswith("Indeks") else "nilai", "higher", "last", t, YEARS, b, e, program_of(c),
             "kondisi akhir printed 5 (§6.2)" if e == "5" else None) for c, n, b, t, e in K]
dump("08-indicators-2025-kegiatan.json", steps)

# sub-kegiatan indicators (§3.5): a representative share — every indicator of 5.03.01.2.01 (planning and
# evaluation), 5.03.01.2.02 (finance), 5.03.02.2.04 (performance and discipline) and 5.04.02 (training).
S = [
 ("5.03.01.2.01.0001/1", "Jumlah Dokumen Perencanaan Perangkat Daerah", "dokumen", "4", ["6","6","6","7","6"], "31"),
 ("5.03.01.2.01.0002/1", "Persentase RKA-SKPD disusun sesuai KAK", "persen", None, ["70","80","90","100","100"], "100"),
 ("5.03.01.2.01.0002/2", "Persentase RKA disusun menggunakan SSH/ASB", "persen", None, ["50","70","80","90","100"], "100"),
 ("5.03.01.2.01.0002/3", "Jumlah Dokumen RKA-SKPD dan Laporan Hasil Koordinasi Penyusunan Dokumen RKA-SKPD", "dokumen", None, ["2"]*5, "10"),
 ("5.03.01.2.01.0004/1", "Persentase Kegiatan diakomodir dalam DPA-SKPD", "persen", None, H, "100"),
 ("5.03.01.2.01.0004/2", "Persentase KAK per Kegiatan pada DPA", "persen", None, ["70","80","90","100","100"], "100"),
 ("5.03.01.2.01.0004/3", "Jumlah Dokumen DPA-SKPD dan Laporan Hasil Koordinasi Penyusunan Dokumen DPA-SKPD", "dokumen", None, ["2"]*5, "10"),
 ("5.03.01.2.01.0006/1", "Laporan Midterm SAKIP Perangkat Daerah", "laporan", None, ["1"]*5, "5"),
 ("5.03.01.2.01.0006/2", "LAKIP Perangkat Daerah", "laporan", None, ["1"]*5, "5"),
 ("5.03.01.2.01.0006/3", "Laporan PM SPIP Terintegrasi Perangkat Daerah", "laporan", None, ["1"]*5, "5"),
 ("5.03.01.2.01.0006/4", "Laporan MR (Manajemen Risiko) Perangkat Daerah", "laporan", None, ["4"]*5, "20"),
 ("5.03.01.2.01.0006/5", "Laporan Implementasi RB General Perangkat Daerah", "laporan", None, ["1"]*5, "5"),
 ("5.03.01.2.01.0006/6", "Jumlah Laporan Capaian Kinerja dan Ikhtisar Realisasi Kinerja SKPD", "laporan", None, ["8"]*5, "40"),
 ("5.03.01.2.01.0007/1", "Persentase Laporan evaluasi kinerja tepat waktu", "dokumen", None, H, "100"),
 ("5.03.01.2.01.0007/2", "Laporan Evaluasi RENJA PD", "laporan", None, ["4"]*5, "20"),
 ("5.03.01.2.01.0007/3", "Laporan Evaluasi RENSTRA PD", "laporan", None, ["1"]*5, "5"),
 ("5.03.01.2.01.0007/4", "Jumlah Laporan Evaluasi Kinerja PD", "laporan", "10", ["5"]*5, "25"),
 ("5.03.01.2.02.0001/1", "Kesesuaian data dan informasi kepegawaian dengan Daftar Gaji ASN", "persen", None, H, "100"),
 ("5.03.01.2.02.0001/2", "Jumlah Orang yang Menerima Gaji dan Tunjangan ASN", "orang/bulan", "37", ["50"]*5, "50"),
 ("5.03.01.2.02.0003/1", "Persentase dokumen SPJ yang dikembalikan", "persen", None, ["10"]*5, "10"),
 ("5.03.01.2.02.0003/2", "Jumlah Dokumen Penatausahaan dan Pengujian/Verifikasi Keuangan SKPD", "dokumen", None, ["200","205","210","215","220"], "1050"),
 ("5.03.01.2.02.0004/1", "Persentase dokumen Koordinasi dan Pelaksanaan Akuntansi SKPD", "dokumen", "381", ["180","180","180","150","180"], "870"),
 ("5.03.01.2.02.0007/1", "Persentase pemenuhan Laporan keuangan PD yang akuntabel dan tepat waktu", "persen", None, H, "100"),
 ("5.03.01.2.02.0007/2", "Jumlah Laporan Keuangan Bulanan/Triwulanan/Semesteran SKPD", "laporan", None, ["2"]*5, "50.000.000,00"),
 ("5.03.02.2.04.0001/1", "Jumlah Dokumen Hasil Penyusunan Kebijakan Penilaian dan Evaluasi Kinerja Aparatur", "dokumen", "1", ["3"]*5, "15"),
 ("5.03.02.2.04.0002/1", "Jumlah Dokumen Hasil Pelaksanaan Penilaian dan Evaluasi Kinerja Aparatur", "dokumen", "1", ["13"]*5, "65"),
 ("5.03.02.2.04.0003/1", "Jumlah Dokumen Hasil Evaluasi Hasil Penilaian dan Evaluasi Kinerja Aparatur", "laporan", "1", ["13"]*5, "65"),
 ("5.03.02.2.04.0004/1", "Jumlah ASN yang Diberikan Penghargaan (KGB, TPP, ASN Berprestasi)", "orang", "1458", ["1500","2000","2050","2100","1500"], "9150"),
 ("5.03.02.2.04.0005/1", "Jumlah ASN yang Diberikan Tanda Jasa (Satya Lencana Karya Satya 10/20/30 th)", "orang", "362", ["300","350","400","400","400"], "1850"),
 ("5.03.02.2.04.0006/1", "Jumlah Dokumen Hasil Evaluasi Pelaksanaan Pemberian Penghargaan dan Tanda Jasa", "dokumen", None, ["5"]*5, "25"),
 ("5.03.02.2.04.0007/1", "Jumlah ASN yang Mendapatkan Pembinaan Kedisiplinan", "orang", None, ["1632","1632","1633","1633","1633"], "8163"),
 ("5.03.02.2.04.0008/1", "Jumlah Laporan Hasil Pengelolaan Penyelesaian Pelanggaran Disiplin ASN", "laporan", "1", ["15","14","13","12","11"], "65"),
 ("5.03.02.2.04.0009/1", "Jumlah Dokumen Proses Izin Perceraian Pegawai yang Dilayani", "dokumen", "6", ["10","9","8","7","6"], "40"),
 ("5.03.02.2.04.0010/1", "Jumlah Laporan Hasil Evaluasi Disiplin ASN", "laporan", "1", ["13"]*5, "65"),
 ("5.04.02.2.01.0003/1", "Jumlah ASN yang Mengikuti Pengembangan Kompetensi", "orang", None, ["100","110","115","120","124"], "569"),
 ("5.04.02.2.01.0004/1", "Jumlah Dokumen Hasil Pembinaan, Pengoordinasian, Fasilitasi, Pemantauan, Evaluasi, dan Pelaporan Pengembangan Kompetensi Teknis", "dokumen", None, ["3"]*5, "15"),
 ("5.04.02.2.02.0005/1", "Jumlah Dokumen Pelaksanaan Kerja Sama antar Lembaga", "dokumen", None, ["3","4","5","6","7"], "25"),
 ("5.04.02.2.02.0007/1", "Jumlah Laporan Hasil Penyelenggaraan Pengembangan Kompetensi bagi Pimpinan Daerah, JPT, JF, Kepemimpinan, Prajabatan", "laporan", "1", ["2"]*5, "10"),
]
kegiatan_first = {c.split("/")[0]: c for c, *_ in K[::-1]}
steps = []
for c, n, u, b, t, e in S:
    pol = "lower" if "dikembalikan" in n else "higher"
    agg = "sum" if n.startswith(("Jumlah", "Laporan", "LAKIP")) else "last"
    note = "kondisi akhir printed '50.000.000,00' (a Rupiah value in the target cell, §3.5)" if e == "50.000.000,00" else None
    steps.append(ind(c, n, "subkegiatan", "other", u, pol, agg, t, YEARS, b, e, kegiatan_first[c[:12]], note, "inverse-2t" if pol == "lower" else None))
dump("09-indicators-2025-subkegiatan.json", steps)

# ---------------------------------------------------------------- pagu indikatif, Tabel 4.1 (§2.3, §3.5)
PROGRAMS = [
 ("5.03.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota", ["10.315.486.756","10.459.808.726","10.604.748.467","10.689.306.917","10.811.876.488"]),
 ("5.03.02", "Program Kepegawaian Daerah", ["4.276.143.360","4.336.261.051","4.396.092.830","4.431.145.374","4.481.954.906"]),
 ("5.04.02", "Program Pengembangan Sumber Daya Manusia", ["3.002.466.500","3.044.473.425","3.086.660.161","3.111.272.079","3.146.947.665"]),
]
KEGIATAN = [
 ("5.03.01.2.01", "Perencanaan, Penganggaran dan Evaluasi Kinerja Perangkat Daerah", ["205.461.500","240.204.650","310.091.225","326.000.347","341.917.096"]),
 ("5.03.01.2.02", "Administrasi Keuangan Perangkat Daerah", ["8.873.965.704","8.884.695.704","9.022.695.704","9.175.195.704","9.199.628.990"]),
 ("5.03.01.2.05", "Administrasi Kepegawaian Perangkat Daerah", ["277.657.429","285.675.000","300.908.750","257.704.188","314.564.397"]),
 ("5.03.01.2.06", "Administrasi Umum Perangkat Daerah", ["469.985.170","434.629.400","423.242.340","402.196.874","412.246.232"]),
 ("5.03.01.2.07", "Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah", ["321.000.000","190.118.672","60.511.568","18.181.336","13.988.128"]),
 ("5.03.01.2.08", "Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah", ["131.888.000","145.076.800","159.584.480","175.542.928","193.097.221"]),
 ("5.03.01.2.09", "Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintahan Daerah", ["335.528.953","339.308.500","327.714.400","334.485.840","336.434.424"]),
 ("5.03.02.2.01", "Pengadaan, Pemberhentian dan Informasi Kepegawaian ASN", ["1.361.404.804","1.381.404.804","1.402.194.804","1.409.194.804","1.426.194.804"]),
 ("5.03.02.2.02", "Mutasi dan Promosi ASN", ["685.000.000","693.250.000","701.250.000","707.250.000","716.250.000"]),
 ("5.03.02.2.03", "Pengembangan Kompetensi ASN", ["1.005.000.000","1.011.850.000","1.019.550.000","1.026.502.544","1.035.312.076"]),
 ("5.03.02.2.04", "Penilaian dan Evaluasi Kinerja Aparatur", ["1.224.738.556","1.249.756.247","1.273.098.026","1.288.198.026","1.304.198.026"]),
 ("5.04.02.2.01", "Pengembangan Kompetensi Teknis", ["520.000.000","660.000.000","682.186.736","700.198.654","733.974.240"]),
 ("5.04.02.2.02", "Sertifikasi, Kelembagaan, Pengembangan Kompetensi Manajerial dan Fungsional", ["2.482.466.500","2.384.473.425","2.404.473.425","2.411.073.425","2.412.973.425"]),
]
def same(v): return [v]*5
SUBS = [
 ("5.03.01.2.01.0001", "Penyusunan Dokumen Perencanaan Perangkat Daerah", ["100.437.500","134.928.250","203.788.625","224.167.487","226.594.236"]),
 ("5.03.01.2.01.0002", "Koordinasi dan Penyusunan Dokumen RKA-SKPD", ["8.500.000","8.000.000","8.000.000","8.000.000","8.000.000"]),
 ("5.03.01.2.01.0004", "Koordinasi dan Penyusunan DPA-SKPD", same("8.000.000")),
 ("5.03.01.2.01.0006", "Koordinasi dan Penyusunan Laporan Capaian Kinerja dan Ikhtisar Realisasi Kinerja SKPD", same("10.000.000")),
 ("5.03.01.2.01.0007", "Evaluasi Kinerja Perangkat Daerah", ["78.524.000","79.376.400","80.302.600","75.832.860","89.332.860"]),
 ("5.03.01.2.02.0001", "Penyediaan Gaji dan Tunjangan ASN", ["8.508.695.704","8.768.195.704","8.922.695.704","9.082.695.704","9.105.128.990"]),
 ("5.03.01.2.02.0003", "Pelaksanaan Penatausahaan dan Pengujian/Verifikasi Keuangan SKPD", ["15.000.000","20.000.000","20.000.000","22.000.000","24.000.000"]),
 ("5.03.01.2.02.0004", "Koordinasi dan Pelaksanaan Akuntansi SKPD", ["40.270.000","56.500.000","70.000.000","60.500.000","60.500.000"]),
 ("5.03.01.2.02.0007", "Koordinasi dan Penyusunan Laporan Keuangan Bulanan/Triwulanan/Semesteran SKPD", same("10.000.000")),
 ("5.03.01.2.05.0002", "Pengadaan Pakaian Dinas beserta Atribut Kelengkapannya", same("50.000.000")),
 ("5.03.01.2.05.0003", "Pendataan dan Pengolahan Administrasi Kepegawaian", same("5.000.000")),
 ("5.03.01.2.05.0005", "Monitoring, Evaluasi, dan Penilaian Kinerja Pegawai", ["63.657.429","34.675.000","25.908.750","26.204.188","28.564.397"]),
 ("5.03.01.2.05.0010", "Sosialisasi Peraturan Perundang-Undangan", ["10.000.000","10.500.000","11.000.000","11.000.000","12.000.000"]),
 ("5.03.01.2.05.0011", "Bimbingan Teknis Implementasi Peraturan Perundang-Undangan", ["149.000.000","155.500.000","209.000.000","165.500.000","219.000.000"]),
 ("5.03.01.2.06.0001", "Penyediaan Komponen Instalasi Listrik/Penerangan Bangunan Kantor", ["3.754.000","4.129.400","4.542.340","4.996.574","5.496.232"]),
 ("5.03.01.2.06.0002", "Penyediaan Peralatan dan Perlengkapan Kantor", ["94.425.500","50.000.000","25.000.000","25.000.000","25.000.000"]),
 ("5.03.01.2.06.0003", "Penyediaan Peralatan Rumah Tangga", ["33.000.000","15.000.000","15.000.000","12.000.000","15.000.000"]),
 ("5.03.01.2.06.0004", "Penyediaan Bahan Logistik Kantor", ["43.500.000","43.500.000","45.500.000","45.500.000","40.500.000"]),
 ("5.03.01.2.06.0005", "Penyediaan Barang Cetakan dan Penggandaan", ["10.000.000","11.000.000","11.000.000","11.000.000","11.000.000"]),
 ("5.03.01.2.06.0006", "Penyediaan Bahan Bacaan dan Peraturan Perundang-undangan", same("3.000.000")),
 ("5.03.01.2.06.0008", "Fasilitasi Kunjungan Tamu", ["10.000.000","10.000.000","10.000.000","10.500.000","11.000.000"]),
 ("5.03.01.2.06.0009", "Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD", ["190.000.000","215.000.000","225.000.000","205.000.000","215.000.000"]),
 ("5.03.01.2.06.0010", "Penatausahaan Arsip Dinamis pada SKPD", ["79.305.670","80.000.000","81.000.000","82.000.000","83.000.000"]),
 ("5.03.01.2.06.0011", "Dukungan pelaksanaan Sistem Pemerintahan Berbasis Elektronik pada SKPD", ["3.000.000","3.000.000","3.200.000","3.200.000","3.250.000"]),
 ("5.03.01.2.07.0005", "Pengadaan Mebel", ["71.000.000","90.118.672","27.030.000","0","0"]),
 ("5.03.01.2.07.0006", "Pengadaan Peralatan dan Mesin Lainnya", ["250.000.000","100.000.000","33.481.568","18.181.336","13.988.128"]),
 ("5.03.01.2.08.0002", "Penyediaan Jasa Komunikasi, Sumber Daya Air dan Listrik", ["131.888.000","145.076.800","159.584.480","175.542.928","193.097.221"]),
 ("5.03.01.2.09.0002", "Penyediaan Jasa Pemeliharaan, Biaya Pemeliharaan, Pajak dan Perizinan Kendaraan Dinas Operasional atau Lapangan", ["45.684.453","46.000.000","40.000.000","40.000.000","40.000.000"]),
 ("5.03.01.2.09.0006", "Pemeliharaan Peralatan dan Mesin Lainnya", ["90.000.000","92.000.000","80.000.000","80.000.000","80.000.000"]),
 ("5.03.01.2.09.0009", "Pemeliharaan/Rehabilitasi Gedung Kantor dan Bangunan Lainnya", ["185.204.500","185.204.500","190.000.000","195.000.000","195.000.000"]),
 ("5.03.01.2.09.0010", "Pemeliharaan/Rehabilitasi Sarana dan Prasarana Gedung Kantor atau Bangunan Lainnya", ["14.640.000","16.104.000","17.714.400","19.485.840","21.434.424"]),
 ("5.03.02.2.01.0003", "Koordinasi dan Fasilitasi Pengadaan PNS dan PPPK", ["610.249.200","613.749.200","618.249.200","619.249.200","622.249.200"]),
 ("5.03.02.2.01.0006", "Koordinasi Pelaksanaan Administrasi Pemberhentian", ["118.294.806","121.044.806","124.544.806","125.544.806","128.544.806"]),
 ("5.03.02.2.01.0007", "Evaluasi Pemberhentian ASN", ["95.356.518","98.106.518","100.606.518","101.606.518","104.606.518"]),
 ("5.03.02.2.01.0008", "Fasilitasi Lembaga Profesi ASN", ["162.025.000","164.775.000","167.275.000","168.275.000","170.275.000"]),
 ("5.03.02.2.01.0010", "Pengelolaan Sistem Informasi Kepegawaian", ["130.169.600","132.919.600","135.669.600","136.669.600","138.669.600"]),
 ("5.03.02.2.01.0011", "Pengelolaan Data Kepegawaian", ["119.197.680","121.947.680","124.447.680","125.447.680","127.447.680"]),
 ("5.03.02.2.01.0012", "Evaluasi Data, Informasi dan Sistem Informasi Kepegawaian", ["126.112.000","128.862.000","131.362.000","132.362.000","134.362.000"]),
 ("5.03.02.2.02.0001", "Pengelolaan Mutasi ASN", ["105.000.000","107.300.000","109.800.000","111.800.000","114.800.000"]),
 ("5.03.02.2.02.0002", "Pengelolaan Kenaikan Pangkat ASN", ["135.000.000","138.200.000","140.950.000","142.950.000","146.950.000"]),
 ("5.03.02.2.02.0003", "Pengelolaan Promosi ASN", ["445.000.000","447.750.000","450.500.000","452.500.000","454.500.000"]),
 ("5.03.02.2.03.0002", "Pengelolaan Assessment Center", ["395.000.000","398.300.000","401.050.000","404.550.000","406.550.000"]),
 ("5.03.02.2.03.0004", "Pengelolaan Pendidikan Lanjutan ASN", ["510.000.000","510.000.000","512.750.000","514.750.000","518.559.532"]),
 ("5.03.02.2.03.0013", "Pembinaan Jabatan Fungsional ASN", ["100.000.000","103.250.000","105.750.000","107.202.544","110.202.544"]),
 ("5.03.02.2.04.0001", "Penyusunan Kebijakan Penilaian dan Evaluasi Kinerja Aparatur", ["92.172.000","94.322.000","95.822.000","96.822.000","99.822.000"]),
 ("5.03.02.2.04.0002", "Pelaksanaan Penilaian dan Evaluasi Kinerja Aparatur", ["151.914.856","155.133.856","156.633.856","157.633.856","158.633.856"]),
 ("5.03.02.2.04.0003", "Evaluasi Hasil Penilaian dan Evaluasi Kinerja Aparatur", ["123.175.000","124.675.000","126.305.000","128.305.000","130.305.000"]),
 ("5.03.02.2.04.0004", "Pengelolaan Pemberian Penghargaan bagi Pegawai", ["316.541.000","318.041.000","320.541.000","322.541.000","325.541.000"]),
 ("5.03.02.2.04.0005", "Pengelolaan Tanda Jasa bagi Pegawai", ["120.335.000","121.335.000","123.835.000","124.835.000","126.835.000"]),
 ("5.03.02.2.04.0006", "Evaluasi Pelaksanaan Pemberian Penghargaan dan Tanda Jasa Aparatur", ["100.000.000","102.000.000","104.500.000","105.500.000","106.500.000"]),
 ("5.03.02.2.04.0007", "Pembinaan Disiplin ASN", ["95.630.000","100.630.000","106.082.779","108.082.779","109.082.779"]),
 ("5.03.02.2.04.0008", "Pengelolaan Penyelesaian Pelanggaran Disiplin ASN", ["122.970.700","123.970.700","125.720.700","127.720.700","128.720.700"]),
 ("5.03.02.2.04.0009", "Pelayanan Proses Izin Perceraian Pegawai", ["32.000.000","32.026.691","33.526.691","34.626.691","35.626.691"]),
 ("5.03.02.2.04.0010", "Evaluasi Disiplin ASN", ["70.000.000","77.631.000","80.131.000","82.131.000","83.131.000"]),
 ("5.04.02.2.01.0003", "Penyelenggaraan Pengembangan Kompetensi Teknis Umum, Inti, dan Pilihan bagi Jabatan Administrasi Penyelenggara Urusan Pemerintahan Konkuren, Perangkat Daerah Penunjang, dan Urusan Pemerintahan Umum", ["450.000.000","585.000.000","602.186.736","615.198.654","643.974.240"]),
 ("5.04.02.2.01.0004", "Pembinaan, Pengoordinasian, Fasilitasi, Pemantauan, Evaluasi, dan Pelaporan Pengembangan Kompetensi Teknis Umum, Inti, dan Pilihan", ["70.000.000","75.000.000","80.000.000","85.000.000","90.000.000"]),
 ("5.04.02.2.02.0005", "Pelaksanaan Kerja Sama antar Lembaga", ["110.000.000","115.000.000","115.000.000","111.600.000","112.500.000"]),
 ("5.04.02.2.02.0007", "Penyelenggaraan Pengembangan Kompetensi bagi Pimpinan Daerah, Jabatan Pimpinan Tinggi, Jabatan Fungsional, Kepemimpinan, dan Prajabatan", ["2.372.466.500","2.269.473.425","2.289.473.425","2.299.473.425","2.300.473.425"]),
]
assert len(SUBS) == 58, len(SUBS)
TUJUAN = ["17.994.096.616","17.840.252.202","18.087.461.488","18.231.684.370","18.440.739.039"]
for i, year in enumerate(YEARS):
    lines = [{"code": c, "name": n, "pagu": num(p[i])} for c, n, p in PROGRAMS]
    lines += [{"code": c, "name": n, "parent": c[:7], "pagu": num(p[i])} for c, n, p in KEGIATAN]
    lines += [{"code": c, "name": n, "parent": c[:12], "pagu": num(p[i])} for c, n, p in SUBS]
    body = {"lines": lines, "declaredTotals": [{"code": "total", "amount": num(TUJUAN[i])}],
            "reason": f"Pagu indikatif {year}, Renstra 2025-2029 Tabel 4.1 (as printed)"}
    dump(f"{10 + i}-pagu-{year}.json", post(f"/budget/{year}", body,
        note="Tabel 4.1 pagu indikatif recorded as the year's budget. Program 5.03.02 prints no pagu: its line is the implied sum of its kegiatan. "
             "SPBE 5.03.01.2.06.0011 2029 cell is lost in the print: 3.200.000 reconstructed (§3.5). Declared total = the printed Tujuan row."))
dump("15-declared-targets-tabel-4-4.json", declared)
print("ok")
