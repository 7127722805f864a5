using System.Globalization;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ledger.Web.Tests;

/// <summary>
/// The web application in a real browser (Debian's Chromium) against the real service with the demo data: what a
/// person signs in to, reads, submits and downloads. Screenshots of the main pages are saved (docs/screenshots).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebAppTests(Browser browser)
{
    private const string Surakarta = ServiceProcess.Surakarta;
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    [Fact]
    public async Task SignIn_refuses_an_unknown_token_and_admits_the_admin_to_the_overview()
    {
        var page = await browser.OpenAsync(null);
        await page.GotoAsync("/");
        Assert.Contains("/masuk", page.Url);
        await Browser.ScreenshotAsync(page, "01-masuk");
        await page.FillAsync("#token", "ldg_not-a-real-token");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#token-error")).ToHaveTextAsync("Token tidak dikenal atau sudah dicabut.");

        await page.FillAsync("#token", ServiceProcess.AdminToken);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#overview")).ToContainTextAsync("Kota Surakarta");
        await Expect(page.Locator("#overview")).ToContainTextAsync("Kabupaten Paser");
        await page.SelectOptionAsync("#tahun", "2023");
        await Expect(page.Locator("h1")).ToContainTextAsync("2023");
        await Browser.ScreenshotAsync(page, "02-beranda");

        await page.GotoAsync("/saya");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("Administrator");
    }

    [Fact]
    public async Task Dashboard_shows_the_measurement_table_as_the_api_computes_it_in_Indonesian_numbers()
    {
        var page = await browser.OpenAsync(browser.Service.StaffToken);
        Assert.Contains($"/instansi/{Surakarta}/", page.Url); // staff land on their own agency
        await page.GotoAsync($"/instansi/{Surakarta}/2023");

        var api = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/performance/2023", browser.Service.StaffToken);
        var i1 = api.GetProperty("indicators").EnumerateArray().First(r => r.GetProperty("code").GetString() == "I1").GetProperty("current");
        var capaian = i1.GetProperty("capaianDisplay").GetDecimal().ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',');
        var row = page.Locator("#indikator tbody tr", new() { HasText = "Indeks Merit" });
        await Expect(row).ToContainTextAsync(capaian + " %");
        await Expect(row).ToContainTextAsync(i1.GetProperty("predikat").GetString()!);
        Assert.Equal("93,75", capaian); // seed 001: 0,75 / 0,80
        await Expect(page.Locator("svg.chart").First).ToBeVisibleAsync();
        await Expect(page.Locator("#anggaran")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "03-dasbor");

        await page.ClickAsync("#anggaran tbody tr >> nth=0 >> a");
        await Expect(page.Locator("#linimasa")).ToContainTextAsync("APBD murni");
        await Browser.ScreenshotAsync(page, "15-anggaran");
    }

    [Fact]
    public async Task A_realization_submitted_in_the_form_is_on_the_timeline_and_an_earlier_as_of_date_shows_the_page_without_it()
    {
        var page = await browser.OpenAsync(browser.Service.StaffToken);
        await page.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I5");
        await Expect(page.Locator("#realisasi")).ToBeVisibleAsync();
        var before = DateTimeOffset.UtcNow;
        before = new DateTimeOffset(before.Ticks - before.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(-1);
        await Task.Delay(1100); // the event's recorded time is strictly later than `before`, at the picker's one-second resolution

        await page.SelectOptionAsync("#realisasi-period", "Y");
        await page.FillAsync("#realisasi-value", "24,5");
        await page.FillAsync("#realisasi-evidence", "LHE PMPRB 2023 (uji)");
        await page.ClickAsync("#realisasi button[type=submit]");
        await Expect(page.Locator(".saved")).ToHaveTextAsync("Realisasi tersimpan.");
        await Expect(page.Locator("#realisasi-periode")).ToContainTextAsync("24,5");
        var newest = page.Locator("#linimasa tbody tr").First;
        await Expect(newest).ToContainTextAsync("Realisasi dicatat");
        await Expect(newest).ToContainTextAsync("Sri Rahayu (uji)");
        await Expect(newest).ToContainTextAsync("24,5");
        await Browser.ScreenshotAsync(page, "04-indikator");

        var api = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/indicators/I5?year=2023", browser.Service.StaffToken);
        Assert.Equal(24.5m, api.GetProperty("realizations").GetProperty("Y").GetDecimal());

        // A datetime-local input holds whole minutes as HH:mm (Chromium drops ":00" and Playwright then calls the value
        // malformed): the test failed whenever `before` fell on a whole minute.
        var waktu = before.ToOffset(Wib);
        await page.FillAsync("#waktu", waktu.ToString(waktu.Second == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("select[name=zona]", "WIB");
        await page.ClickAsync("#asof button[type=submit]");
        await Expect(page.Locator(".asof-note")).ToContainTextAsync("Anda melihat data sebagaimana tercatat per");
        await Expect(page.Locator("#realisasi-periode")).Not.ToContainTextAsync("24,5");
        await Expect(page.Locator("#realisasi")).ToHaveCountAsync(0); // no forms on the past
        await Expect(page.Locator("#linimasa")).Not.ToContainTextAsync("LHE PMPRB 2023 (uji)");
        await Browser.ScreenshotAsync(page, "05-per-tanggal");

        // The as-of instant survives navigation: the dashboard's URL (not the indicator page's, which has it too) carries it.
        await page.ClickAsync("nav.main >> text=Dasbor");
        await Expect(page).ToHaveURLAsync(new Regex($"/instansi/{Surakarta}/2023\\?(.*&)?asOf="));
        await Expect(page.Locator(".asof-note")).ToContainTextAsync("Anda melihat data sebagaimana tercatat per");
    }

    [Fact]
    public async Task Invalid_input_is_explained_next_to_the_field_and_nothing_is_saved()
    {
        var page = await browser.OpenAsync(browser.Service.StaffToken);
        await page.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I6");
        var versionBefore = (await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/indicators/I6?year=2023", browser.Service.StaffToken))
            .GetProperty("version").GetInt64();

        await page.SelectOptionAsync("#realisasi-period", "Y");
        await page.FillAsync("#realisasi-value", "sembilan");
        await page.ClickAsync("#realisasi button[type=submit]");
        await Expect(page.Locator("#realisasi .has-error .field-error")).ToHaveTextAsync("Isi dengan angka, misalnya 92,5 atau 1.234.567.");
        await Expect(page.Locator("#realisasi-value")).ToHaveValueAsync("sembilan"); // what was typed is kept

        // A rule of the API itself (the value is required): its message lands next to the same field.
        await page.FillAsync("#realisasi-value", "");
        await page.ClickAsync("#realisasi button[type=submit]");
        await Expect(page.Locator("#realisasi .form-error")).ToContainTextAsync("Tidak disimpan");
        await Expect(page.Locator("#realisasi .has-error #realisasi-value")).ToHaveCountAsync(1);
        await Expect(page.Locator("#realisasi-value-error")).ToHaveTextAsync("Nilai wajib diisi."); // the API's own rule, in Indonesian

        // A correction needs a reason.
        await page.SelectOptionAsync("#koreksi-period", "Y");
        await page.FillAsync("#koreksi-value", "0,2");
        await page.ClickAsync("#koreksi button[type=submit]");
        await Expect(page.Locator("#koreksi .has-error #koreksi-reason")).ToHaveCountAsync(1);
        await Expect(page.Locator("#koreksi-reason-error")).ToHaveTextAsync("Alasan wajib diisi.");
        await Browser.ScreenshotAsync(page, "06-validasi", page.Locator("#realisasi-value"));

        var versionAfter = (await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/indicators/I6?year=2023", browser.Service.StaffToken))
            .GetProperty("version").GetInt64();
        Assert.True(versionAfter >= versionBefore); // other tests may write; I6 itself must be untouched:
        var i6 = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/indicators/I6?year=2023", browser.Service.StaffToken);
        Assert.False(i6.GetProperty("realizations").TryGetProperty("Y", out _));
    }

    [Fact]
    public async Task A_form_rendered_before_someone_else_wrote_is_refused_with_a_clear_message_instead_of_overwriting()
    {
        var first = await browser.OpenAsync(browser.Service.StaffToken);
        var second = await browser.OpenAsync(browser.Service.ApproverToken);
        await first.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I7");
        await second.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I7");

        await first.SelectOptionAsync("#realisasi-period", "Y");
        await first.FillAsync("#realisasi-value", "1,9");
        await first.ClickAsync("#realisasi button[type=submit]");
        await Expect(first.Locator(".saved")).ToBeVisibleAsync();

        await second.SelectOptionAsync("#koreksi-period", "Y");
        await second.FillAsync("#koreksi-value", "2,5");
        await second.FillAsync("#koreksi-reason", "Angka dari laporan lama (uji)");
        await second.ClickAsync("#koreksi button[type=submit]");
        await Expect(second.Locator("#koreksi .form-error.conflict")).ToContainTextAsync("telah diubah oleh orang lain");
        await Expect(second.Locator("#koreksi-reason")).ToHaveValueAsync("Angka dari laporan lama (uji)");
        await Browser.ScreenshotAsync(second, "07-konflik", second.Locator("#koreksi"));

        var i7 = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/indicators/I7?year=2023", browser.Service.StaffToken);
        Assert.Equal(1.9m, i7.GetProperty("realizations").GetProperty("Y").GetDecimal()); // the first write stands
    }

    [Fact]
    public async Task The_measurement_table_downloads_as_an_xlsx_that_opens()
    {
        var page = await browser.OpenAsync(ServiceProcess.AdminToken);
        await page.GotoAsync($"/instansi/{Surakarta}/2023");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(".downloads >> text=XLSX"));
        var path = Path.Combine(Path.GetTempPath(), $"ledger-web-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(path);
        try
        {
            using var xlsx = SpreadsheetDocument.Open(path, false);
            var workbook = xlsx.WorkbookPart!;
            Assert.True(workbook.Workbook.Sheets!.Elements<Sheet>().Count() >= 1);
            var strings = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
            var inline = workbook.WorksheetParts.SelectMany(w => w.Worksheet.Descendants<InlineString>()).Select(s => s.InnerText);
            Assert.Contains("I1", strings.Concat(inline));
        }
        finally
        {
            File.Delete(path);
        }

        await page.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I2");
        var history = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("text=Unduh riwayat (CSV)"));
        await using var stream = await history.CreateReadStreamAsync();
        using var reader = new StreamReader(stream);
        var csv = await reader.ReadToEndAsync();
        Assert.Contains(";", csv);
        Assert.Contains("93", csv); // the PK perubahan target of I2
    }

    [Fact]
    public async Task Pages_show_only_what_the_role_allows()
    {
        var staff = await browser.OpenAsync(browser.Service.StaffToken);
        var response = await staff.GotoAsync($"/instansi/{ServiceProcess.Paser}/2025");
        Assert.Equal(403, response!.Status);
        await Expect(staff.Locator("h1")).ToHaveTextAsync("Anda tidak berhak melihat halaman ini");
        await staff.GotoAsync($"/instansi/{Surakarta}/2022/tutup-buku");
        await Expect(staff.Locator("#tutup")).ToHaveCountAsync(0); // staff never close a year

        var inspektorat = await browser.OpenAsync(browser.Service.InspektoratToken);
        await inspektorat.GotoAsync($"/instansi/{Surakarta}/2023/indikator?kode=I1");
        await Expect(inspektorat.Locator("#linimasa")).ToBeVisibleAsync();
        await Expect(inspektorat.Locator("#realisasi")).ToHaveCountAsync(0); // the Inspektorat reads, never writes

        await staff.ClickAsync("text=Keluar");
        Assert.Contains("/masuk", staff.Url);
        await staff.GotoAsync($"/instansi/{Surakarta}/2023");
        Assert.Contains("/masuk", staff.Url);
    }

    [Fact]
    public async Task The_approver_closes_a_year_and_the_page_shows_the_frozen_snapshot_with_a_matching_hash()
    {
        var page = await browser.OpenAsync(browser.Service.ApproverToken);
        await page.GotoAsync($"/instansi/{Surakarta}/2022/tutup-buku");
        await page.FillAsync("#tutup-note", "Tutup buku 2022 (uji)");
        await page.ClickAsync("#tutup button[type=submit]");
        await Expect(page.Locator(".saved")).ToBeVisibleAsync();
        await Expect(page.Locator("#snapshot")).ToContainTextAsync("cocok");
        var api = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/years/2022/snapshot", browser.Service.ApproverToken);
        await Expect(page.Locator("#snapshot")).ToContainTextAsync(api.GetProperty("snapshotHash").GetString()!);
        await Browser.ScreenshotAsync(page, "10-tutup-buku");

        var auditor = await browser.OpenAsync(browser.Service.InspektoratToken);
        await auditor.GotoAsync($"/instansi/{Surakarta}/2022/tutup-buku");
        await auditor.ClickAsync("text=Periksa sekarang");
        await Expect(auditor.Locator("#rantai")).ToContainTextAsync("utuh");
        await Expect(auditor.Locator("#rantai")).ToContainTextAsync("cocok"); // the head published at this close
    }

    [Fact]
    public async Task Auditor_pages_change_log_pk_side_by_side_and_findings_link_to_their_evidence()
    {
        var page = await browser.OpenAsync(browser.Service.InspektoratToken);
        await page.GotoAsync($"/instansi/{Surakarta}/riwayat?jenis=pk.revised.v1");
        var rows = page.Locator("#perubahan tbody tr");
        Assert.True(await rows.CountAsync() >= 1);
        foreach (var text in await rows.AllInnerTextsAsync()) Assert.Contains("PK perubahan ditandatangani", text);
        await page.GotoAsync($"/instansi/{Surakarta}/riwayat?tahun=2023");
        await Browser.ScreenshotAsync(page, "08-riwayat");

        await page.GotoAsync($"/instansi/{Surakarta}/2023/pk");
        await Expect(page.Locator("#pk-versi td.changed").First).ToBeVisibleAsync(); // I2's 93 in the PK perubahan
        await Browser.ScreenshotAsync(page, "09-pk");

        await page.GotoAsync($"/instansi/{Surakarta}/2023/temuan");
        var evidence = page.Locator("#temuan a").First;
        await Expect(evidence).ToBeVisibleAsync();
        var href = await evidence.GetAttributeAsync("href");
        Assert.Matches(new Regex("/riwayat\\?tahun=2023#e-[0-9a-f-]{36}$"), href!);
        await evidence.ClickAsync();
        var anchor = href!.Split('#')[1];
        await Expect(page.Locator($"#perubahan tr[id='{anchor}']")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "11-temuan");
    }

    [Fact]
    public async Task Staff_propose_a_PK_perubahan_the_approver_approves_it_and_it_stands_beside_the_earlier_versions()
    {
        var staff = await browser.OpenAsync(browser.Service.StaffToken);
        await staff.GotoAsync($"/instansi/{Surakarta}/2023/pk");
        await Expect(staff.Locator("#perubahan h2")).ToHaveTextAsync("Usulkan PK perubahan");
        await staff.SelectOptionAsync("#perubahan-ground", "priority-change");
        await staff.FillAsync("#perubahan-reason", "Penyesuaian target SKM setelah survei ulang (uji)");
        await staff.FillAsync("#perubahan-signedOn", "2023-11-15");
        await staff.FillAsync("input[name='Targets[I9]']", "70");
        await staff.ClickAsync("#perubahan button[type=submit]");
        await Expect(staff.Locator(".saved")).ToContainTextAsync("menunggu persetujuan");
        var pending = staff.Locator(".proposal", new() { HasText = "Penyesuaian target SKM" });
        await Expect(pending).ToContainTextAsync("Menunggu persetujuan");
        await Expect(pending.Locator("button")).ToHaveCountAsync(0); // staff cannot approve

        var approver = await browser.OpenAsync(browser.Service.ApproverToken);
        await approver.GotoAsync($"/instansi/{Surakarta}/2023/pk");
        var proposal = approver.Locator(".proposal", new() { HasText = "Penyesuaian target SKM" });
        await proposal.Locator("button", new() { HasText = "Setujui" }).ClickAsync();
        await Expect(approver.Locator(".saved")).ToContainTextAsync("disetujui");
        var i9 = approver.Locator("#pk-versi tbody tr", new() { HasText = "I9" });
        await Expect(i9.Locator("td.changed")).ToHaveTextAsync("70");
        await Expect(approver.Locator("#pk-versi thead")).ToContainTextAsync("PK perubahan 2");

        var pk = await browser.Service.ReadAsync($"/api/agencies/{Surakarta}/pk/2023", browser.Service.ApproverToken);
        Assert.Equal(2, pk.GetProperty("number").GetInt32());
        Assert.Equal(70m, pk.GetProperty("targets").EnumerateArray().First(t => t.GetProperty("indicator").GetString() == "I9").GetProperty("target").GetDecimal());
    }

    [Fact]
    public async Task The_API_reference_at_docs_renders_in_the_browser_from_the_services_own_assets()
    {
        var page = await browser.OpenAsync(null);
        var outside = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(browser.Service.BaseAddress.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
                outside.Add(r.Url);
        };
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        await page.GotoAsync("/docs");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Register an agency (perangkat daerah)" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Discovery", Exact = true })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "12-docs");
        Assert.Empty(outside);
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_admin_issues_a_new_token_for_a_demo_user_who_then_signs_in_with_it()
    {
        var admin = await browser.OpenAsync(ServiceProcess.AdminToken);
        await admin.GotoAsync("/pengguna");
        var users = await browser.Service.ReadAsync("/api/users", ServiceProcess.AdminToken);
        var approver = users.EnumerateArray().First(u => u.GetProperty("role").GetString() == "approver"
                                                          && u.GetProperty("agency").GetString() == ServiceProcess.Paser);
        var name = approver.GetProperty("name").GetString()!;
        var row = admin.Locator("#pengguna tbody tr", new() { HasText = name });
        await row.Locator("input[name='Input[tokenReason]']").FillAsync("Demo: masuk sebagai penyetuju (uji)");
        await row.Locator("button", new() { HasText = "Token baru" }).ClickAsync();
        var token = (await admin.Locator("#token-nilai").InnerTextAsync()).Trim();
        Assert.StartsWith("ldg_", token);
        await admin.ReloadAsync();
        await Expect(admin.Locator("#token-nilai")).ToHaveCountAsync(0); // shown once

        var page = await browser.OpenAsync(token);
        await page.GotoAsync("/saya");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync(name);
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("Penyetuju");

        // A new user, with the API's field error in Indonesian first.
        await admin.FillAsync("#baru-name", "");
        await admin.ClickAsync("#baru button[type=submit]");
        await Expect(admin.Locator("#baru-name-error")).ToContainTextAsync("wajib diisi");
        await admin.FillAsync("#baru-name", "Rina Auditor (uji)");
        await admin.SelectOptionAsync("#baru-role", "inspektorat");
        await admin.ClickAsync("#baru button[type=submit]");
        await Expect(admin.Locator("#token-baru")).ToContainTextAsync("Rina Auditor (uji)");
        await Expect(admin.Locator("#pengguna")).ToContainTextAsync("Rina Auditor (uji)");
        await Browser.ScreenshotAsync(admin, "14-pengguna");
    }

    [Fact]
    public async Task A_session_whose_token_was_replaced_ends_on_any_page_and_an_unknown_agency_is_not_found()
    {
        var created = await browser.Service.PostAsync("/api/users", ServiceProcess.AdminToken,
            new { name = "Dewi Sesi (uji)", role = "staff", agency = Surakarta });
        var page = await browser.OpenAsync(created.GetProperty("token").GetString()!);
        await page.GotoAsync($"/instansi/{Surakarta}/2023/temuan");
        await Expect(page.Locator("h1")).ToContainTextAsync("Temuan audit");

        await browser.Service.PostAsync($"/api/users/{created.GetProperty("id").GetString()}/token", ServiceProcess.AdminToken,
            new { reason = "Token diganti (uji)" });
        await page.GotoAsync($"/instansi/{Surakarta}/2023/temuan");
        Assert.Contains("/masuk?berakhir=1", page.Url);
        await Expect(page.Locator(".notice")).ToContainTextAsync("Sesi Anda berakhir");

        var admin = await browser.OpenAsync(ServiceProcess.AdminToken);
        var response = await admin.GotoAsync("/instansi/tidak-ada/2023/temuan");
        Assert.Equal(404, response!.Status);
        await Expect(admin.Locator("h1")).ToHaveTextAsync("Data tidak ditemukan");
    }

    [Fact]
    public async Task The_evaluation_page_shows_the_Inspektorats_score_and_the_agencys_follow_ups()
    {
        await browser.Service.PostAsync($"/api/agencies/{Surakarta}/evaluations/2023", browser.Service.InspektoratToken, new
        {
            score = 71.25m, reportNumber = "700/LHE-SAKIP/2024 (uji)",
            components = new { perencanaan = 22.5m, pengukuran = 21m, pelaporan = 11.25m, evaluasiInternal = 16.5m },
            recommendations = new[] { "Selaraskan indikator kinerja program dengan sasaran Renstra.", "Lengkapi bukti dukung realisasi triwulanan." },
        });
        await browser.Service.PostAsync($"/api/agencies/{Surakarta}/evaluations/2023/recommendations/1/follow-ups", browser.Service.StaffToken,
            new { action = "Cascading kinerja disusun ulang", status = "in-progress", evidence = "ND 800/123 (uji)" });

        var page = await browser.OpenAsync(browser.Service.InspektoratToken);
        await page.GotoAsync($"/instansi/{Surakarta}/2023/evaluasi");
        await Expect(page.Locator("#evaluasi")).ToContainTextAsync("71,25");
        await Expect(page.Locator("#evaluasi .predikat")).ToBeVisibleAsync();
        await Expect(page.Locator(".recommendations")).ToContainTextAsync("dalam proses");
        await Expect(page.Locator(".recommendations")).ToContainTextAsync("Cascading kinerja disusun ulang");
        await Browser.ScreenshotAsync(page, "13-evaluasi");

        // The overview shows the evaluation's predikat for the agency.
        await page.GotoAsync("/?tahun=2023");
        await Expect(page.Locator("#overview tr", new() { HasText = "Kota Surakarta" }).Locator(".predikat")).ToBeVisibleAsync();

        // The Inspektorat does not manage users.
        var users = await page.GotoAsync("/pengguna");
        Assert.Equal(403, users!.Status);
    }
}
